"""Personal maps, the community asset directory, the navigators' graph and network health."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from foundation.idempotency import idempotent
from network import actions, hsds, selectors
from network.actions.maps import do_check_asset, do_import_hsds
from network.models import Asset, AssetReport, Person, Tie
from network.selectors import MANAGERS
from network.serializers.maps import (
    AssetIn,
    AssetOut,
    AssetReportIn,
    AssetReportOut,
    AssetReportResolveIn,
    AssetUpdateIn,
    GraphOut,
    HealthOut,
    HsdsImportOut,
    TieIn,
    TieOut,
    TieUpdateIn,
)


def _resolve_links(person: Person, values: dict[str, Any]) -> dict[str, Any]:
    """Turn linked ids into objects the person may link to (fellow members, their networks' assets)."""
    if values.get("linked_person") is not None:
        other = selectors.fellow_member_by_id(person=person, other_id=values["linked_person"])
        if other is None:
            raise ValidationError({"linked_person": ["Not someone in one of your networks."]})
        values["linked_person"] = other
    if values.get("linked_asset") is not None:
        try:
            values["linked_asset"] = selectors.access_asset_by_id(
                person=person, asset_id=values["linked_asset"]
            )
        except NotFound:
            raise ValidationError({"linked_asset": ["Not an entry in one of your networks."]}) from None
    return values


class MyTieListApi(ListAPIView):
    """My personal map (GET) and a new tie (POST). Ties are mine whatever network I am in."""

    serializer_class = TieOut

    def get_queryset(self) -> QuerySet[Tie]:
        return selectors.ties_of(person=self.request.user)

    @extend_schema(request=TieIn, responses={201: TieOut})
    @idempotent
    def post(self, request: Request) -> Response:
        data = TieIn(data=request.data)
        data.is_valid(raise_exception=True)
        tie = actions.do_create_tie(
            owner=request.user, **_resolve_links(request.user, dict(data.validated_data))
        )
        return Response(TieOut(tie).data, status=status.HTTP_201_CREATED)


class MyTieDetailApi(APIView):
    @extend_schema(request=TieUpdateIn, responses=TieOut)
    def patch(self, request: Request, tie_id: int) -> Response:
        tie = selectors.access_tie_by_id(person=request.user, tie_id=tie_id)
        data = TieUpdateIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        tie = actions.do_update_tie(tie=tie, **_resolve_links(request.user, dict(data.validated_data)))
        return Response(TieOut(tie).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, tie_id: int) -> Response:
        actions.do_delete_tie(tie=selectors.access_tie_by_id(person=request.user, tie_id=tie_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PersonTieListApi(ListAPIView):
    """Someone's map, as far as they chose to show it to me (network, or my navigator)."""

    serializer_class = TieOut

    def get_queryset(self) -> QuerySet[Tie]:
        return selectors.visible_ties(viewer=self.request.user, owner_id=self.kwargs["person_id"])


class AssetListApi(ListAPIView):
    """The network's community directory (GET, members); a new entry (POST,
    navigators and facilitators)."""

    serializer_class = AssetOut

    def get_queryset(self) -> QuerySet[Asset]:
        network = selectors.access_network_by_id(
            person=self.request.user, network_id=self.kwargs["network_id"]
        )
        return selectors.assets_of(network=network, q=self.request.query_params.get("q", "")[:200])

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q", OpenApiTypes.STR, description="words to find in organisation, service, category or area"
            )
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=AssetIn, responses={201: AssetOut})
    @idempotent
    def post(self, request: Request, network_id: int) -> Response:
        network = selectors.access_network_by_id(person=request.user, network_id=network_id, roles=MANAGERS)
        data = AssetIn(data=request.data)
        data.is_valid(raise_exception=True)
        asset = actions.do_create_asset(network=network, actor=request.user, **data.validated_data)
        return Response(AssetOut(asset).data, status=status.HTTP_201_CREATED)


class AssetDetailApi(APIView):
    @extend_schema(responses=AssetOut)
    def get(self, request: Request, asset_id: int) -> Response:
        return Response(AssetOut(selectors.access_asset_by_id(person=request.user, asset_id=asset_id)).data)

    @extend_schema(request=AssetUpdateIn, responses=AssetOut)
    def patch(self, request: Request, asset_id: int) -> Response:
        """Edit an entry (navigators and facilitators); an edit counts as a check."""
        asset = selectors.access_asset_by_id(person=request.user, asset_id=asset_id, roles=MANAGERS)
        data = AssetUpdateIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return Response(AssetOut(actions.do_update_asset(asset=asset, **data.validated_data)).data)


class AssetCheckedApi(APIView):
    @extend_schema(request=None, responses=AssetOut)
    def post(self, request: Request, asset_id: int) -> Response:
        """The entry was looked at and is still right (navigators and facilitators)."""
        asset = selectors.access_asset_by_id(person=request.user, asset_id=asset_id, roles=MANAGERS)
        return Response(AssetOut(do_check_asset(asset=asset)).data)


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The file is too large."
    default_code = "too_large"


def _bounded(view_method: Callable[..., Response]) -> Callable[..., Response]:
    """Refuse a body over hsds.MAX_BYTES before anything reads it."""

    @functools.wraps(view_method)
    def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        length = request.headers.get("Content-Length") or "0"
        if not length.isdigit() or int(length) > hsds.MAX_BYTES:
            raise PayloadTooLarge(f"The file is too large: at most {hsds.MAX_BYTES // (1024 * 1024)} MB.")
        return view_method(self, request, *args, **kwargs)

    return wrapper


class DirectoryHsdsApi(APIView):
    """The directory in Open Referral HSDS 3.0 form: a JSON array of compiled
    services (network/hsds.py). Navigators and facilitators."""

    @extend_schema(
        responses={
            (200, "application/json"): {
                "type": "array",
                "items": {"type": "object", "description": "an HSDS 3.0 compiled service"},
            }
        }
    )
    def get(self, request: Request, network_id: int) -> Response:
        """Download the directory (an attachment), ids included, in an order
        that depends only on its content."""
        network = selectors.access_network_by_id(person=request.user, network_id=network_id, roles=MANAGERS)
        document = hsds.export_document(list(selectors.assets_of(network=network)))
        filename = f"{network.slug or network.pk}-directory-hsds-{timezone.localdate().isoformat()}.json"
        return Response(document, headers={"Content-Disposition": f'attachment; filename="{filename}"'})

    @extend_schema(
        request={
            "application/json": {
                "type": "array",
                "items": {"type": "object", "description": "an HSDS 3.0 compiled service"},
            }
        },
        responses={200: HsdsImportOut},
    )
    @_bounded
    @idempotent
    def post(self, request: Request, network_id: int) -> Response:
        """Load an HSDS document: checked against the HSDS schema and the
        directory's own rules first (a 400 listing each error with its JSON
        path, nothing saved), then every service created or updated by id, in
        one transaction."""
        network = selectors.access_network_by_id(person=request.user, network_id=network_id, roles=MANAGERS)
        reading = hsds.read_document(request.data)
        if reading.errors:
            errors: dict[str, list[str]] = {}
            for error in reading.errors[: hsds.MAX_ERRORS]:
                errors.setdefault(error["field"], []).append(error["detail"])
            raise ValidationError(errors)
        counts = do_import_hsds(network=network, actor=request.user, entries=reading.entries)
        return Response(
            HsdsImportOut(
                {
                    "created": counts.created,
                    "updated": counts.updated,
                    "unchanged": counts.unchanged,
                    "not_kept": reading.not_kept[: hsds.MAX_NOT_KEPT],
                    "not_kept_count": len(reading.not_kept),
                }
            ).data
        )


class AssetReportCreateApi(APIView):
    @extend_schema(request=AssetReportIn, responses={201: AssetReportOut})
    @idempotent
    def post(self, request: Request, asset_id: int) -> Response:
        """Any member: this entry is wrong, or the place has closed."""
        asset = selectors.access_asset_by_id(person=request.user, asset_id=asset_id)
        data = AssetReportIn(data=request.data)
        data.is_valid(raise_exception=True)
        report = actions.do_report_asset(asset=asset, person=request.user, **data.validated_data)
        return Response(AssetReportOut(report).data, status=status.HTTP_201_CREATED)


class AssetReportListApi(ListAPIView):
    """Open reports on the network's directory. Navigators and facilitators."""

    serializer_class = AssetReportOut

    def get_queryset(self) -> QuerySet[AssetReport]:
        network = selectors.access_network_by_id(
            person=self.request.user, network_id=self.kwargs["network_id"], roles=MANAGERS
        )
        return selectors.open_asset_reports_of(network=network)


class AssetReportResolveApi(APIView):
    @extend_schema(request=AssetReportResolveIn, responses=AssetReportOut)
    def post(self, request: Request, report_id: int) -> Response:
        report = selectors.access_asset_report_by_id(person=request.user, report_id=report_id)
        data = AssetReportResolveIn(data=request.data)
        data.is_valid(raise_exception=True)
        report = actions.do_resolve_asset_report(report=report, actor=request.user, **data.validated_data)
        return Response(AssetReportOut(report).data)


class GraphApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("network", OpenApiTypes.INT, description="only this network")],
        responses=GraphOut,
    )
    def get(self, request: Request) -> Response:
        """Nodes and edges of the networks I navigate or facilitate, honouring every
        member's visibility choices."""
        raw = request.query_params.get("network")
        if raw is None:
            networks = selectors.networks_managed_by(person=request.user)
        else:
            if not raw.isdigit():
                raise ValidationError({"network": ["A network id."]})
            networks = [
                selectors.access_network_by_id(person=request.user, network_id=int(raw), roles=MANAGERS)
            ]
        result = selectors.graph(viewer=request.user, networks=networks)
        return Response(GraphOut({"nodes": result.nodes, "edges": result.edges}).data)


class NetworkHealthApi(APIView):
    @extend_schema(responses=HealthOut)
    def get(self, request: Request, network_id: int) -> Response:
        """Isolated members, people in several networks, the size cap, on-call gaps,
        stale directory entries. Navigators and facilitators."""
        network = selectors.access_network_by_id(person=request.user, network_id=network_id, roles=MANAGERS)
        health = selectors.network_health(viewer=request.user, network=network, now=timezone.now())
        return Response(HealthOut(health).data)
