"""The community directory in Open Referral HSDS 3.0 form (issue 15).

A directory document is a JSON array of HSDS *compiled services* (the shape of
HSDS's ``schema/compiled/service_package.json``): each service with its
organization, phone, weekly schedules (opening times), one service_at_location
with its location and address, and attributes whose taxonomy terms are the
entry's categories. Validation is against the published schema vendored in
``network/hsds_schema/`` (see its README), with ``jsonschema_rs``.

Ids: the service id is the entry's ``Asset.hsds_id``, kept through import and
export; every other id (organization, phone, location, address, schedule,
attribute, taxonomy term) is derived from what it names with UUID 5, so the
same entry always exports the same document and "export, import, export"
gives it back unchanged, in the same network or another one.

Reading a document (``read_document``) only parses and checks: it returns the
entries' fields, the errors (each with its JSON path) and what the file holds
that the directory has no place for. ``network.actions.do_import_hsds`` writes.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
from django.utils import timezone

from network.actions.maps import HsdsEntry as Entry
from network.models import Asset

SCHEMA_FILE = Path(__file__).parent / "hsds_schema" / "service_with_definitions.json"
HSDS_VERSION = "3.0.1"
MAX_SERVICES = 5000
MAX_BYTES = 10 * 1024 * 1024
MAX_ERRORS = 100
MAX_NOT_KEPT = 100

# Our namespace for derived ids (uuid5 of what each names).
NAMESPACE = uuid.UUID("5b0f1d36-7c55-4d7e-9a43-2a9e3c1f6b80")
CATEGORY_TAXONOMY = "Circle directory categories"
KIND_TAXONOMY = "Circle directory kinds"
INFORMAL_CODE = "informal_asset"
INFORMAL_TERM = {
    "code": INFORMAL_CODE,
    "name": "Informal asset",
    "description": "Not a formal service: a community resource, such as a quiet space.",
    "taxonomy": KIND_TAXONOMY,
}
CLOSED_STATUSES = ("inactive", "defunct", "temporarily closed")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def derived_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


@cache
def service_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return schema


@cache
def _validator() -> Any:
    return jsonschema_rs.validator_for(service_schema(), validate_formats=True)


def strict_schema() -> dict[str, Any]:
    """The service schema with ``additionalProperties: false`` on every object,
    as HSDS's own example checks use it: a misspelt field fails. For tests of
    what we export; imports take the published schema as it is."""

    def close(node: Any) -> Any:
        if isinstance(node, dict):
            out = {key: close(value) for key, value in node.items()}
            if "properties" in node:
                out["additionalProperties"] = False
            return out
        if isinstance(node, list):
            return [close(item) for item in node]
        return node

    return close(service_schema())  # type: ignore[no-any-return]


def _json_path(base: str, parts: Any) -> str:
    return base + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


def schema_errors(service: Any, base: str, validator: Any = None) -> list[dict[str, str]]:
    """Every way ``service`` breaks the HSDS service schema, with JSON paths."""
    return [
        {"field": _json_path(base, list(error.instance_path)), "detail": error.message}
        for error in (validator or _validator()).iter_errors(service)
    ]


# --- Export -------------------------------------------------------------------------------


def service_of(asset: Asset) -> dict[str, Any]:
    """One directory entry as an HSDS 3.0 compiled service."""
    sid = str(asset.hsds_id)
    organization_id = derived_id("organization", asset.organization_name)
    service: dict[str, Any] = {
        "id": sid,
        "organization_id": organization_id,
        "name": asset.service_name,
        "description": asset.description,
        "status": "defunct" if asset.is_closed else "active",
    }
    if asset.url:
        service["url"] = asset.url
    if asset.last_checked_at is not None:
        service["assured_date"] = timezone.localdate(asset.last_checked_at).isoformat()
    service["organization"] = {"id": organization_id, "name": asset.organization_name, "description": ""}
    service["phones"] = (
        [{"id": derived_id(sid, "phone"), "service_id": sid, "number": str(asset.phone)}]
        if asset.phone
        else []
    )
    service["schedules"] = [
        {
            "id": derived_id(sid, "schedule", row["weekday"], row["opens_at"], row["closes_at"]),
            "service_id": sid,
            "freq": "WEEKLY",
            "byday": row["weekday"],
            "opens_at": row["opens_at"],
            "closes_at": row["closes_at"],
        }
        for row in asset.opening_times
    ]
    service["service_at_locations"] = _locations_of(asset, sid)
    attributes = [_attribute(sid, category, CATEGORY_TAXONOMY) for category in asset.categories]
    if not asset.is_formal_service:
        attributes.append(_attribute(sid, INFORMAL_CODE, KIND_TAXONOMY, INFORMAL_TERM))
    service["attributes"] = attributes
    return service


def _locations_of(asset: Asset, sid: str) -> list[dict[str, Any]]:
    if not (asset.location_name or asset.address or asset.postal_code):
        return []
    location_id = derived_id(sid, "location")
    location: dict[str, Any] = {
        "id": location_id,
        "location_type": "physical",
        "name": asset.location_name,
        "addresses": [],
    }
    if asset.address or asset.postal_code:
        location["addresses"].append(
            {
                "id": derived_id(sid, "address"),
                "location_id": location_id,
                "address_1": asset.address,
                "city": "",
                "state_province": "",
                "postal_code": asset.postal_code,
                "country": "GB",
                "address_type": "physical",
            }
        )
    return [
        {
            "id": derived_id(sid, "service_at_location"),
            "service_id": sid,
            "location_id": location_id,
            "location": location,
        }
    ]


def _attribute(sid: str, name: str, taxonomy: str, term: dict[str, str] | None = None) -> dict[str, Any]:
    term_id = derived_id("taxonomy_term", taxonomy, name)
    return {
        "id": derived_id(sid, "attribute", taxonomy, name),
        "link_id": sid,
        "link_entity": "service",
        "taxonomy_term_id": term_id,
        "taxonomy_term": {"id": term_id, **(term or {"name": name, "description": "", "taxonomy": taxonomy})},
    }


def export_document(assets: list[Asset]) -> list[dict[str, Any]]:
    """The directory, in an order that depends on nothing but its content."""
    ordered = sorted(assets, key=lambda a: (a.organization_name, a.service_name, str(a.hsds_id)))
    return [service_of(asset) for asset in ordered]


# --- Import -------------------------------------------------------------------------------


@dataclass
class Reading:
    entries: list[Entry] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    not_kept: list[str] = field(default_factory=list)


# What each of our fields was read from, for errors our own checks find.
FIELD_PATHS = {
    "organization_name": ".organization.name",
    "service_name": ".name",
    "description": ".description",
    "url": ".url",
    "phone": ".phones[0].number",
    "opening_times": ".schedules",
    "categories": ".attributes",
    "location_name": ".service_at_locations[0].location.name",
    "address": ".service_at_locations[0].location.addresses[0]",
    "postal_code": ".service_at_locations[0].location.addresses[0].postal_code",
}

# Keys each level may carry that we read, or that we derive again on export.
USED = {
    "service": {
        "id",
        "organization_id",
        "name",
        "description",
        "url",
        "status",
        "assured_date",
        "organization",
        "phones",
        "schedules",
        "service_at_locations",
        "attributes",
        "last_modified",
    },
    "organization": {"id", "name"},
    "phone": {"id", "service_id", "number", "type"},
    "schedule": {"id", "service_id", "freq", "byday", "opens_at", "closes_at", "wkst", "interval"},
    "service_at_location": {"id", "service_id", "location_id", "location"},
    "location": {"id", "location_type", "name", "addresses", "organization_id"},
    "address": {
        "id",
        "location_id",
        "address_1",
        "address_2",
        "city",
        "region",
        "state_province",
        "postal_code",
        "country",
        "address_type",
    },
    "attribute": {"id", "link_id", "link_type", "link_entity", "taxonomy_term_id", "taxonomy_term"},
}


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


class _Reader:
    def __init__(self, reading: Reading) -> None:
        self.reading = reading

    def not_kept(self, path: str) -> None:
        self.reading.not_kept.append(path)

    def unused(self, obj: dict[str, Any], path: str, level: str) -> None:
        for key, value in obj.items():
            if key not in USED[level] and not _empty(value):
                self.not_kept(f"{path}.{key}")

    def first(self, items: Any, path: str) -> dict[str, Any] | None:
        """The first of a list we keep one of; the rest are not kept."""
        if not items:
            return None
        for index in range(1, len(items)):
            self.not_kept(f"{path}[{index}]")
        return items[0]  # type: ignore[no-any-return]


def _document_services(document: Any) -> tuple[list[Any], str] | None:
    """The services of a document and the path they sit at: a JSON array, or
    an HSDS API page ({"contents": [...]})."""
    if isinstance(document, list):
        return document, "$"
    if isinstance(document, dict) and isinstance(document.get("contents"), list):
        return document["contents"], "$.contents"
    return None


def read_document(document: Any) -> Reading:
    """Check a whole document against the HSDS schema, then read every service
    into our fields. The entries are only good to save if ``errors`` is empty."""
    reading = Reading()
    found = _document_services(document)
    if found is None:
        reading.errors.append({"field": "$", "detail": "An HSDS directory is a JSON array of services."})
        return reading
    services, base = found
    if len(services) > MAX_SERVICES:
        reading.errors.append(
            {
                "field": base,
                "detail": f"At most {MAX_SERVICES} services in one file; this one has {len(services)}.",
            }
        )
        return reading
    for index, service in enumerate(services):
        reading.errors.extend(schema_errors(service, f"{base}[{index}]"))
        if len(reading.errors) >= MAX_ERRORS:
            break
    if reading.errors:
        return reading
    reader = _Reader(reading)
    seen: dict[str, str] = {}
    for index, service in enumerate(services):
        path = f"{base}[{index}]"
        if service["id"].lower() in seen:
            reading.errors.append(
                {"field": f"{path}.id", "detail": f"The same id as {seen[service['id'].lower()]}."}
            )
            continue
        seen[service["id"].lower()] = path
        entry = _read_service(reader, service, path)
        if entry is not None:
            reading.entries.append(entry)
        if len(reading.errors) >= MAX_ERRORS:
            break
    return reading


def _read_service(reader: _Reader, service: dict[str, Any], path: str) -> Entry | None:
    from network.serializers.maps import AssetIn  # the same checks as the form's

    errors = reader.reading.errors
    before = len(errors)
    reader.unused(service, path, "service")
    organization = service.get("organization") or {}
    if not organization.get("name"):
        errors.append(
            {"field": f"{path}.organization", "detail": "Each service needs its organization's name."}
        )
    else:
        reader.unused(organization, f"{path}.organization", "organization")
    raw: dict[str, Any] = {
        "organization_name": organization.get("name", ""),
        "service_name": service["name"],
        "description": service.get("description") or "",
        "url": service.get("url") or "",
        "is_closed": service["status"] in CLOSED_STATUSES,
        "phone": _read_phone(reader, service, path),
        "opening_times": _read_schedules(reader, service, path),
        **_read_location(reader, service, path),
        **_read_attributes(reader, service, path),
    }
    checked = _read_date(reader, service, path)
    if len(errors) > before:
        return None
    form = AssetIn(data=raw)
    if not form.is_valid():
        for name, problems in form.errors.items():
            detail = problems[0] if isinstance(problems, list) else problems
            if isinstance(detail, dict):  # a nested row (opening times)
                detail = next(iter(detail.values()))
            errors.append({"field": path + FIELD_PATHS.get(name, ""), "detail": str(_first(detail))})
        return None
    fields = dict(form.validated_data)
    fields["phone"] = fields.get("phone") or ""
    return Entry(hsds_id=uuid.UUID(service["id"]), path=path, fields=fields, last_checked_on=checked)


def _first(detail: Any) -> Any:
    while isinstance(detail, list | dict) and detail:
        detail = detail[0] if isinstance(detail, list) else next(iter(detail.values()))
    return detail


def _read_phone(reader: _Reader, service: dict[str, Any], path: str) -> str:
    phone = reader.first(service.get("phones"), f"{path}.phones")
    if phone is None:
        return ""
    reader.unused(phone, f"{path}.phones[0]", "phone")
    return str(phone["number"])


def _read_schedules(reader: _Reader, service: dict[str, Any], path: str) -> list[dict[str, str]]:
    """Weekly schedules with days and times become opening times, a row per day."""
    rows = []
    for index, schedule in enumerate(service.get("schedules") or []):
        where = f"{path}.schedules[{index}]"
        days = [d.strip() for d in (schedule.get("byday") or "").split(",") if d.strip()]
        weekly = (schedule.get("freq") or "WEEKLY") == "WEEKLY" and (schedule.get("interval") or 1) == 1
        if not (weekly and days and all(d in WEEKDAYS for d in days)):
            reader.not_kept(where)
            continue
        if not (schedule.get("opens_at") and schedule.get("closes_at")):
            reader.not_kept(where)
            continue
        reader.unused(schedule, where, "schedule")
        rows.extend(
            {"weekday": day, "opens_at": schedule["opens_at"], "closes_at": schedule["closes_at"]}
            for day in days
        )
    return rows


def _read_location(reader: _Reader, service: dict[str, Any], path: str) -> dict[str, str]:
    out = {"location_name": "", "address": "", "postal_code": ""}
    at = reader.first(service.get("service_at_locations"), f"{path}.service_at_locations")
    if at is None:
        return out
    where = f"{path}.service_at_locations[0]"
    reader.unused(at, where, "service_at_location")
    location = at.get("location")
    if not location:
        return out
    reader.unused(location, f"{where}.location", "location")
    out["location_name"] = location.get("name") or ""
    address = reader.first(location.get("addresses"), f"{where}.location.addresses")
    if address is not None:
        reader.unused(address, f"{where}.location.addresses[0]", "address")
        parts = [address.get(k) or "" for k in ("address_1", "address_2", "city", "region", "state_province")]
        out["address"] = ", ".join(p.strip() for p in parts if p.strip())
        out["postal_code"] = (address.get("postal_code") or "").strip()
    return out


def _read_attributes(reader: _Reader, service: dict[str, Any], path: str) -> dict[str, Any]:
    categories: list[str] = []
    formal = True
    for index, attribute in enumerate(service.get("attributes") or []):
        where = f"{path}.attributes[{index}]"
        term = attribute.get("taxonomy_term") or {}
        if term.get("taxonomy") == KIND_TAXONOMY and term.get("code") == INFORMAL_CODE:
            formal = False
            continue
        name = (term.get("name") or "").strip()
        if not name:
            reader.not_kept(where)
            continue
        reader.unused(attribute, where, "attribute")
        if name not in categories:
            categories.append(name)
    return {"categories": categories, "is_formal_service": formal}


def _read_date(reader: _Reader, service: dict[str, Any], path: str) -> date | None:
    raw = service.get("assured_date")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        reader.reading.errors.append(
            {"field": f"{path}.assured_date", "detail": "A date written as YYYY-MM-DD, such as 2026-03-31."}
        )
        return None
