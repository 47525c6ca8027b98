"""The ground floor: what every app uses and nothing above it may be imported by.

Problem details, pagination, idempotency, sealing and the notification
transports. It imports none of network, crisisplans, messaging or config.
"""
