"""Webhooks the SMS and voice provider (Twilio) calls: delivery receipts,
replies and inbound texts, and the TwiML of voice pages. Each is believed
only with Twilio's valid signature (foundation/transports/twilio.py), and
is exempt from CSRF because that signature is its authentication."""
