"""/metrics (issue 17): the figures move when an alert runs, and only the
operator's scraper may read them."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from config.celery import app as celery_app
from messaging import tasks
from messaging.actions import alerts, notifications
from messaging.models import Offer
from messaging.ws_limits import DeviceSockets
from tests.messaging.conftest import make_crisis

pytestmark = pytest.mark.django_db

TOKEN = "a-long-random-scrape-token"


@pytest.fixture
def scrape(client, settings):
    settings.METRICS_TOKEN = TOKEN

    def read() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert response.status_code == 200, response.content
        assert response["Content-Type"].startswith("text/plain; version=")
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.content.decode())
            for sample in family.samples
        }

    return read


def value(samples, name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


def open_alerts(samples, state: str) -> float:
    return sum(
        v
        for (name, labels), v in samples.items()
        if name == "crisisnet_alerts_open" and ("state", state) in labels
    )


def test_the_alert_figures_move_as_an_alert_is_raised_and_taken(scrape):
    crisis = make_crisis()
    before = scrape()
    assert open_alerts(before, "open") == 0
    assert value(before, "crisisnet_alert_time_to_taken_seconds_count") == 0

    alert = crisis.raise_alert("metrics-1")
    raised = scrape()
    alert.refresh_from_db()
    assert value(raised, "crisisnet_alerts_open", state="open", step=str(alert.step)) == 1
    assert open_alerts(raised, "taken") == 0
    # Offers are events no device has acknowledged yet.
    assert value(raised, "crisisnet_events_unacknowledged") >= 1
    assert (
        value(raised, "crisisnet_offers_pending", delivery="any") == Offer.objects.filter(alert=alert).count()
    )

    alerts.do_accept_alert(alert_id=alert.pk, person=crisis.peers[0], now=crisis.now + timedelta(seconds=45))
    taken = scrape()
    assert open_alerts(taken, "open") == 0
    assert value(taken, "crisisnet_alerts_open", state="taken", step=str(alert.step)) == 1
    assert value(taken, "crisisnet_alert_time_to_taken_seconds_count") == 1
    assert value(taken, "crisisnet_alert_time_to_taken_seconds_sum") == pytest.approx(45)
    assert value(taken, "crisisnet_alert_time_to_taken_seconds_bucket", le="30.0") == 0
    assert value(taken, "crisisnet_alert_time_to_taken_seconds_bucket", le="60.0") == 1
    assert value(taken, "crisisnet_alert_time_to_taken_seconds_bucket", le="+Inf") == 1


def test_a_late_step_shows_until_the_sweep_runs_it_then_its_lateness_is_counted(scrape):
    crisis = make_crisis()
    alert = crisis.raise_alert("metrics-late", now=timezone.now() - timedelta(minutes=10))
    late_by = (timezone.now() - alert.next_step_due_at).total_seconds()  # minutes: no worker ran it
    late = scrape()
    assert value(late, "crisisnet_escalation_overdue", kind="step") == 1
    assert value(late, "crisisnet_escalation_overdue_seconds", kind="step") == pytest.approx(late_by, abs=5)
    assert value(late, "crisisnet_sweep_last_run_timestamp_seconds") == 0
    runs_before = value(late, "crisisnet_escalation_step_lateness_seconds_count")

    tasks.sweep_due_alert_work()
    swept = scrape()
    assert value(swept, "crisisnet_escalation_overdue", kind="step") == 0
    assert value(swept, "crisisnet_escalation_overdue_seconds", kind="step") == 0
    assert value(swept, "crisisnet_escalation_step_lateness_seconds_count") == runs_before + 1
    assert value(swept, "crisisnet_escalation_step_lateness_seconds_bucket", le="300.0") == runs_before
    assert time.time() - value(swept, "crisisnet_sweep_last_run_timestamp_seconds") < 10


def test_push_and_sms_fallbacks_are_counted_by_transport(scrape):
    crisis = make_crisis()
    alert = crisis.raise_alert("metrics-fallbacks")
    offer = Offer.objects.filter(alert=alert).order_by("pk").first()
    push_at = offer.notified_at + timedelta(seconds=django_settings.ALERT_PUSH_AFTER_SECONDS + 1)
    assert notifications.do_send_offer_fallbacks(offer_id=offer.pk, now=push_at) == "push"
    pushed = scrape()
    assert value(pushed, "crisisnet_notifications_total", transport="push", purpose="alert_offer") == 1
    assert value(pushed, "crisisnet_notifications_total", transport="sms", purpose="alert_offer") == 0
    sms_at = push_at + timedelta(seconds=django_settings.ALERT_SMS_AFTER_PUSH_SECONDS + 1)
    assert notifications.do_send_offer_fallbacks(offer_id=offer.pk, now=sms_at) == "sms"
    texted = scrape()
    assert value(texted, "crisisnet_notifications_total", transport="sms", purpose="alert_offer") == 1
    assert value(texted, "crisisnet_offers_pending", delivery="fallback") == 1
    # The push went (nobody had a subscription to fail): no failure recorded.
    assert value(texted, "crisisnet_notifications_failed_total", transport="push", purpose="alert_offer") == 0


def test_open_sockets_are_summed_from_every_process_entries_and_lapsed_ones_are_not(scrape):
    async def hold_sockets() -> None:
        registry = DeviceSockets()  # as one daphne process's
        assert await registry.claim(digest="device-a", channel_name="web1.a1")
        assert await registry.claim(digest="device-a", channel_name="web2.a2")
        assert await registry.claim(digest="device-b", channel_name="web1.b1")
        await registry.redis.zadd("ws-device-sockets:device-c", {"dead.c1": time.time() - 5})
        await registry.release(digest="device-b", channel_name="web1.b1")
        await registry.redis.aclose()

    asyncio.run(hold_sockets())
    samples = scrape()
    assert value(samples, "crisisnet_websockets_open") == 2
    assert value(samples, "crisisnet_devices_connected") == 1


def test_celery_queue_depth_is_read_from_the_broker(scrape):
    before = scrape()
    for _ in range(3):
        celery_app.send_task("config.celery.ping", queue="default")
    after = scrape()
    assert value(after, "crisisnet_celery_queue_length", queue="default") == (
        value(before, "crisisnet_celery_queue_length", queue="default") + 3
    )
    assert value(after, "crisisnet_celery_queue_length", queue="realtime") == value(
        before, "crisisnet_celery_queue_length", queue="realtime"
    )


def test_a_scrape_takes_the_same_queries_with_no_alerts_as_with_several(client, settings):
    settings.METRICS_TOKEN = TOKEN

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
        return len(captured)

    empty = queries()
    crisis = make_crisis()
    for key in ("q1", "q2"):
        alert = crisis.raise_alert(key, member=crisis.peers[3] if key == "q2" else None)
        alerts.do_accept_alert(alert_id=alert.pk, person=crisis.peers[0 if key == "q1" else 1])
    assert queries() == empty


def test_request_and_process_figures_come_from_django_prometheus(scrape, client):
    client.get("/api/v1/health/live/")
    samples = scrape()
    names = {name for name, _ in samples}
    assert "django_http_requests_total_by_method_total" in names
    assert "django_http_responses_total_by_status_total" in names


def test_a_store_that_does_not_answer_is_reported_not_fatal(scrape, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    samples = scrape()
    assert value(samples, "crisisnet_scrape_ok", part="redis") == 0
    assert value(samples, "crisisnet_scrape_ok", part="alerts") == 1
    assert "crisisnet_celery_queue_length" not in {name for name, _ in samples}


# --- who may read it ------------------------------------------------------------------


def test_without_a_token_metrics_are_not_found_in_production(client, settings):
    settings.METRICS_TOKEN = ""
    settings.DEBUG = False
    response = client.get("/metrics")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert b"crisisnet_" not in response.content


def test_without_a_token_a_development_server_answers_only_its_own_machine(client, settings):
    settings.METRICS_TOKEN = ""
    settings.DEBUG = True
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.10").status_code == 404
    # A forwarded-for header is the client's to write: never believed here.
    assert (
        client.get("/metrics", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 404
    )


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer", "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", f"Token {TOKEN}"],
)
def test_with_a_token_any_other_credential_is_refused(client, settings, authorization):
    settings.METRICS_TOKEN = TOKEN
    settings.DEBUG = True  # not even a loopback development client gets in without it
    response = client.get("/metrics", HTTP_AUTHORIZATION=authorization, REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"crisisnet_" not in response.content


def test_with_the_token_any_address_may_scrape(client, settings):
    settings.METRICS_TOKEN = TOKEN
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert b"crisisnet_alerts_open" in response.content
