"""POST /hooks/twilio/sms/: a text to our number, as Twilio forwards it
(form fields From, Body, MessageSid), answered with TwiML
(messaging.actions.inbound decides what the text does and says).

- Believed only with Twilio's valid signature: anything else is 403 and
  changes nothing.
- Twilio retries a webhook it got no answer from: one MessageSid acts once,
  and a retry gets the first answer's reply (the first answer never reached
  Twilio, so neither did its reply).
- At most SMS_REPLIES_PER_HOUR replies to one number an hour, so nobody can
  make the service text someone over and over (a From can be forged); past
  that the text still acts (a raise is never refused) and gets no reply.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.twiml import TwiML
from twilio.twiml.messaging_response import MessagingResponse

from foundation.problems import permission_denied
from foundation.transports.twilio import request_is_from_twilio
from messaging.actions.inbound import do_answer_text

SEEN_SECONDS = 24 * 3600
REPLY_WINDOW_SECONDS = 3600
# What a MessageSid's cache entry holds while its first request is still running.
IN_FLIGHT = "\x00in-flight"


def twiml(response: TwiML) -> HttpResponse:
    return HttpResponse(str(response), content_type="text/xml; charset=utf-8")


def _reply(text: str) -> HttpResponse:
    response = MessagingResponse()
    if text:
        response.message(text)
    return twiml(response)


@csrf_exempt
@require_POST
def inbound_sms(request: HttpRequest) -> HttpResponse:
    if not request_is_from_twilio(request):
        return permission_denied(request)
    sid = request.POST.get("MessageSid", "")
    sender = request.POST.get("From", "")
    seen_key = f"twilio-sms-seen:{sid}"
    if not sid or not cache.add(seen_key, IN_FLIGHT, timeout=SEEN_SECONDS):
        earlier = cache.get(seen_key)
        return _reply("" if earlier in (None, IN_FLIGHT) else earlier)
    try:
        text = do_answer_text(from_number=sender, text=request.POST.get("Body", ""), message_sid=sid)
    except Exception:
        # Nothing was answered: Twilio's retry may try again.
        cache.delete(seen_key)
        raise
    if text and not _may_reply_to(sender):
        text = ""
    cache.set(seen_key, text, timeout=SEEN_SECONDS)
    return _reply(text)


def _may_reply_to(number: str) -> bool:
    """Count one reply to ``number`` in its hour (a fixed window from its
    first reply, as crisisplans.throttles counts wrong share codes)."""
    key = f"twilio-sms-replies:{number}"
    cache.add(key, 0, timeout=REPLY_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between the two calls
        cache.set(key, 1, timeout=REPLY_WINDOW_SECONDS)
        count = 1
    return count <= settings.SMS_REPLIES_PER_HOUR
