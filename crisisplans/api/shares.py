"""Thin REST views of a member's plan shares (issue 18). Only the owner
knows of them: everyone else gets 404. The code, its link and QR code are
in the answers while the share lives; the idempotency record keeps only the
new share's id, so the code is never stored in clear."""

from __future__ import annotations

import io
from typing import Any

import segno
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from crisisplans import actions, selectors
from crisisplans.actions.shares import grouped
from crisisplans.models import PlanShare
from crisisplans.serializers import PlanShareChangeIn, PlanShareIn, PlanShareOut
from foundation.idempotency import idempotent


def qr_svg(link: str) -> str:
    """The link's QR code as SVG text: presentation attributes only (no style
    attribute, no script), a standalone document (its own namespace, a
    viewBox, a white background) so the app can show it as an image."""
    out = io.BytesIO()
    segno.make(link, error="m").save(
        out,
        kind="svg",
        scale=8,
        border=4,
        xmldecl=False,
        svgns=True,
        omitsize=True,
        nl=False,
        light="#fff",
        title="QR code of the shared plan",
    )
    return out.getvalue().decode()


def state_of(share: PlanShare) -> str:
    if share.revoked_at is not None:
        return "revoked"
    return "live" if share.is_live() else "expired"


def share_body(
    request: Request, share: PlanShare, opens: dict[str, Any], *, code: str | None = None
) -> dict[str, Any]:
    live = state_of(share) == "live"
    code = (code or share.code or None) if live else None
    link = request.build_absolute_uri(reverse("plan-share-page", args=[code])) if code else None
    return {
        "id": share.pk,
        "plan": share.plan_id,
        "label": share.label or "",
        "sections": share.sections,
        "show_name": share.show_name,
        "created_at": share.created_at,
        "expires_at": share.expires_at,
        "revoked_at": share.revoked_at,
        "state": state_of(share),
        "opens": {"count": opens["count"], "last_at": opens["last"]},
        "code": grouped(code) if code else None,
        "link": link,
        "qr_svg": qr_svg(link) if link else None,
    }


def one_share_body(request: Request, share: PlanShare) -> dict[str, Any]:
    return PlanShareOut(share_body(request, share, selectors.opens_of(shares=[share])[share.pk])).data


class PlanShareListApi(APIView):
    """Your plan's shares, newest first, live and ended, with how often each
    was opened; make a new one."""

    @extend_schema(responses=PlanShareOut(many=True))
    def get(self, request: Request, plan_id: int) -> Response:
        plan = selectors.access_plan_to_share_by_id(person=request.user, plan_id=plan_id)
        shares = list(selectors.shares_of(plan=plan))
        opens = selectors.opens_of(shares=shares)
        return Response(PlanShareOut([share_body(request, s, opens[s.pk]) for s in shares], many=True).data)

    @extend_schema(request=PlanShareIn, responses={201: PlanShareOut})
    def post(self, request: Request, plan_id: int) -> Response:
        first = self._create(request, plan_id)
        if first.status_code != status.HTTP_201_CREATED:
            return first
        share = selectors.access_own_share_by_id(person=request.user, share_id=first.data["id"])
        response = Response(one_share_body(request, share), status=status.HTTP_201_CREATED)
        if first.has_header("Idempotent-Replayed"):
            response["Idempotent-Replayed"] = first["Idempotent-Replayed"]
        return response

    @idempotent
    def _create(self, request: Request, plan_id: int) -> Response:
        plan = selectors.access_plan_to_share_by_id(person=request.user, plan_id=plan_id)
        data = PlanShareIn(data=request.data)
        data.is_valid(raise_exception=True)
        sections = data.validated_data.get("sections")
        if sections is None:
            sections = selectors.consents_of(plan=plan)["alert_peer"]
        new = actions.do_create_share(
            owner=request.user,
            plan=plan,
            hours=data.validated_data["hours"],
            sections=sections,
            label=data.validated_data["label"],
            show_name=data.validated_data["show_name"],
        )
        return Response({"id": new.share.pk}, status=status.HTTP_201_CREATED)


class PlanShareDetailApi(APIView):
    """One of your shares; change the parts it shows (from its next open on)."""

    @extend_schema(responses=PlanShareOut)
    def get(self, request: Request, share_id: int) -> Response:
        share = selectors.access_own_share_by_id(person=request.user, share_id=share_id)
        return Response(one_share_body(request, share))

    @extend_schema(request=PlanShareChangeIn, responses=PlanShareOut)
    def patch(self, request: Request, share_id: int) -> Response:
        share = selectors.access_own_share_by_id(person=request.user, share_id=share_id)
        data = PlanShareChangeIn(data=request.data)
        data.is_valid(raise_exception=True)
        share = actions.do_update_share(
            owner=request.user, share=share, sections=data.validated_data["sections"]
        )
        return Response(one_share_body(request, share))


class PlanShareRevokeApi(APIView):
    """Stop a share now: its link and code open nothing from this moment."""

    @extend_schema(request=None, responses=PlanShareOut)
    def post(self, request: Request, share_id: int) -> Response:
        share = selectors.access_own_share_by_id(person=request.user, share_id=share_id)
        share = actions.do_revoke_share(owner=request.user, share=share, now=timezone.now())
        return Response(one_share_body(request, share))
