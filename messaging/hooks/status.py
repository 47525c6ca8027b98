"""POST /hooks/twilio/status/: Twilio's status callbacks for the texts and
calls of pages (the StatusCallback every page's send names).

MessageSid + MessageStatus (a text) or CallSid + CallStatus (a call) update
that send's Delivery (messaging.actions.paging.do_record_receipt): a
permanent failure ("failed", "undelivered"; a call "failed", "busy",
"no-answer") moves the page's ladder on at once. Believed only with Twilio's
valid signature: anything else is 403 and changes nothing. A SID that is not
one of ours (a sign-in code's text, say) is answered 200 and ignored, so
Twilio does not retry it.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from foundation.transports.twilio import request_is_from_twilio
from messaging.actions.paging import do_record_receipt


@csrf_exempt
@require_POST
def status_callback(request: HttpRequest) -> HttpResponse:
    if not request_is_from_twilio(request):
        return HttpResponse(status=403)
    sid = request.POST.get("MessageSid") or request.POST.get("CallSid") or ""
    status = request.POST.get("MessageStatus") or request.POST.get("CallStatus") or ""
    if sid and status:
        do_record_receipt(sid=sid, status=status, error_code=request.POST.get("ErrorCode", ""))
    return HttpResponse(status=200)
