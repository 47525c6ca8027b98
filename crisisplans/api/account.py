"""Thin REST view of deleting one's account."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crisisplans import actions
from crisisplans.serializers import DeleteAccountIn


class DeleteAccountApi(APIView):
    """Delete your account: you are removed and your plan becomes unreadable
    for good. What others need stays, without your name."""

    @extend_schema(request=DeleteAccountIn, responses={204: None})
    def post(self, request: Request) -> Response:
        data = DeleteAccountIn(data=request.data)
        data.is_valid(raise_exception=True)
        actions.do_delete_account(person=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
