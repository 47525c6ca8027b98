"""How the network is doing (co-assessment, issue 16): the report, as JSON
and as CSV, for the network's members, navigators and facilitators."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from messaging.selectors.report import NetworkReport, network_report, report_rows
from messaging.serializers.report import NetworkReportOut, ReportQueryIn
from network import selectors as network_selectors
from network.models import Network

MANAGERS = network_selectors.MANAGERS


def _report_for(request: Request, network_id: int) -> NetworkReport:
    """The network's report for the query's period (a month or quarter in its
    own timezone); members get the member view: no per-person rows, no
    pulse words. Not in it: 404."""
    network: Network = network_selectors.access_network_by_id(person=request.user, network_id=network_id)
    now = timezone.now()
    query = ReportQueryIn(data=request.query_params, context={"network": network, "now": now})
    query.is_valid(raise_exception=True)
    return network_report(
        network=network,
        period=query.validated_data["period"],
        include_people=network.viewer_role in MANAGERS,  # type: ignore[attr-defined]
        now=now,
    )


class NetworkReportApi(APIView):
    """How the network is doing, for alerts raised in one ``period``: a month
    (2026-11) or a quarter (2026-Q4) in the network's timezone, one of
    ``periods`` (the last 12 months and 4 quarters, newest first; default the
    last full month; a period still running counts to the start of today):
    alerts raised, cancelled, who took them, how long to the
    first offer, to being taken and to first contact (p50 and p90 seconds),
    debrief outcomes, follow-ups done, how evenly the load is shared and the
    hours with nobody on call, and the members' answers to the monthly pulse
    question. Any count under ``suppress_below`` is null with ``suppressed``
    true (and another with it where a total would give it away); a quarter
    shows a count only where each of its months did; timings, shares and the
    pulse average need that many behind them. Per-person load (``peers``)
    and the pulse's words are for navigators and facilitators; members get
    null. docs/report.md explains the rules."""

    @extend_schema(parameters=[ReportQueryIn], responses=NetworkReportOut)
    def get(self, request: Request, network_id: int) -> Response:
        return Response(NetworkReportOut(_report_for(request, network_id)).data)


class CSVRenderer(BaseRenderer):
    """Renders the report's text as text/csv; errors stay problem details."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        return data.encode() if isinstance(data, str) else json.dumps(data).encode()


class NetworkReportCsvApi(APIView):
    """The same figures as GET /networks/{id}/report/, one per row (figure,
    value); suppressed counts read "fewer than 5"."""

    renderer_classes = [CSVRenderer]

    @extend_schema(
        operation_id="network_report_csv",
        parameters=[ReportQueryIn],
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request: Request, network_id: int) -> Response:
        report = _report_for(request, network_id)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["figure", "value"])
        writer.writerows(report_rows(report))
        filename = f"network-{network_id}-report-{report.period.key}.csv"
        return Response(out.getvalue(), headers={"Content-Disposition": f'attachment; filename="{filename}"'})
