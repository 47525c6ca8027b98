"""The TwiML of a voice page, the ladder's last step (messaging.actions.paging
places the call with its Delivery's token in the URL):

- POST /hooks/twilio/voice/<token>/: the prompt, said twice, waiting for
  one key ("Someone in <network> needs support. Press 1 to take it.", or a
  test page's), then goodbye; a page nobody needs any more only ends.
- POST /hooks/twilio/voice/<token>/gather/: the key pressed. 1 takes the
  alert or acknowledges the test page and says what came of it; any other
  key hears the prompt once more (``?again=1``), then goodbye.

Both are believed only with Twilio's valid signature (the token alone names
a call, it is not a credential). Nothing said carries crisis content.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.twiml.voice_response import Gather, VoiceResponse

from foundation.problems import permission_denied
from foundation.transports.twilio import public_url, request_is_from_twilio
from messaging.actions.inbound import PAGE_ENDED, do_answer_voice_key, voice_prompt
from messaging.hooks.inbound import twiml
from messaging.selectors.paging import delivery_by_token

LANGUAGE = "en-GB"
NOBODY_PRESSED = "Nobody pressed 1. Goodbye."
GOODBYE = "Goodbye."
GATHER_SECONDS = 10


def _say_and_hang_up(text: str) -> HttpResponse:
    response = VoiceResponse()
    response.say(text, language=LANGUAGE)
    response.hangup()
    return twiml(response)


def _ask(*, token: str, prompt: str, again: bool) -> HttpResponse:
    """The prompt inside a one-key Gather (twice the first time, once when
    asking again), then goodbye if no key comes within GATHER_SECONDS."""
    action = f"/hooks/twilio/voice/{token}/gather/" + ("?again=1" if again else "")
    gather = Gather(num_digits=1, action=public_url(action), method="POST", timeout=GATHER_SECONDS)
    gather.say(prompt, language=LANGUAGE)
    if not again:
        gather.pause(length=1)
        gather.say(prompt, language=LANGUAGE)
    response = VoiceResponse()
    response.append(gather)
    response.say(NOBODY_PRESSED, language=LANGUAGE)
    response.hangup()
    return twiml(response)


@csrf_exempt
@require_POST
def voice_page(request: HttpRequest, token: str) -> HttpResponse:
    if not request_is_from_twilio(request):
        return permission_denied(request)
    prompt = voice_prompt(delivery=delivery_by_token(token=token))
    if not prompt:
        return _say_and_hang_up(PAGE_ENDED)
    return _ask(token=token, prompt=prompt, again=False)


@csrf_exempt
@require_POST
def voice_gather(request: HttpRequest, token: str) -> HttpResponse:
    if not request_is_from_twilio(request):
        return permission_denied(request)
    delivery = delivery_by_token(token=token)
    outcome = do_answer_voice_key(delivery=delivery, digits=request.POST.get("Digits", ""))
    if outcome:
        return _say_and_hang_up(outcome)
    if request.GET.get("again"):
        return _say_and_hang_up(GOODBYE)
    prompt = voice_prompt(delivery=delivery)
    if not prompt:
        return _say_and_hang_up(PAGE_ENDED)
    return _ask(token=token, prompt=prompt, again=True)
