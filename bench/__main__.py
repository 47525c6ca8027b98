"""Run the benchmark suite: ``python -m bench`` (``make bench``) or
``python -m bench --smoke`` (``make bench-smoke``, the CI version).

Starts its own database on the configured PostgreSQL server, a dedicated Redis
db index, daphne, the Celery worker and beat, and the load clients, runs the
baselines and scenarios of issue 7, prints a table and writes
bench/results/<timestamp>.json. Everything it starts is stopped at the end,
on failure and on Ctrl-C.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from bench import report
from bench.scenarios import FULL, SMOKE, Plan, log
from bench.stack import BASE_DIR, Stack, bench_database, bench_redis, wait_until_ready

RESULTS_DIR = BASE_DIR / "bench" / "results"
TARGET_MEMORY_KIB = 60
TARGET_ALERT_P99_MS = 25
TARGET_BROADCAST_P99_MS = 300
TARGET_STEP_P99_MS = 1000
TARGET_STEP_AFTER_KILL_MS = 3000
# Scenario 5's runs: (key in the JSON, kill a worker halfway, run a second worker, what the log says).
ESCALATION_PHASES = (
    ("steady", False, False, "steady"),
    ("worker_killed", True, False, "the only worker killed halfway"),
    ("one_of_two_killed", True, True, "two workers, one killed halfway"),
)


def _stop_on_sigterm(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def run_service(
    *, stack: Stack, plan: Plan, cast: Any, redis_url: str, prefix: str, only: set[str]
) -> dict[str, Any]:
    import redis
    from django.test import override_settings

    from bench import scenarios
    from bench.layers import channel_layers

    def wanted(name: str) -> bool:
        return not only or name in only

    found: dict[str, Any] = {"layers": {}}
    for layer in plan.layers:
        if not any(map(wanted, ("held", "delivery", "broadcast", "messages"))) and layer != plan.layers[0]:
            continue
        redis.Redis.from_url(redis_url).flushdb()
        stack.env["BENCH_CHANNEL_LAYER"] = layer
        with override_settings(
            CHANNEL_LAYERS=channel_layers(layer=layer, redis_url=redis_url, prefix=prefix)
        ):
            web, port = stack.daphne(f"web-{layer}")
            worker = stack.worker(f"worker-{layer}")
            stack.beat()
            wait_until_ready(f"http://127.0.0.1:{port}")
            this: dict[str, Any] = {}
            if wanted("held"):
                log(f"[{layer}] scenario 1: held connections {plan.held_levels}")
                this["held"] = scenarios.held_connections(web=web, port=port, cast=cast, plan=plan)
            if wanted("delivery") or wanted("broadcast") or wanted("messages"):
                _delivery(stack=stack, plan=plan, cast=cast, layer=layer, port=port, this=this, wanted=wanted)
            if this:
                found["layers"][layer] = this
            if layer == plan.layers[0] and wanted("escalation"):
                found["escalation"] = {"layer": layer}
                for phase, kill, spare, what in ESCALATION_PHASES:
                    log(f"[{layer}] scenario 5: {plan.escalation_alerts} alerts, {what}")
                    found["escalation"][phase], worker = scenarios.escalation(
                        stack=stack,
                        worker=worker,
                        cast=cast,
                        plan=plan,
                        kill=kill,
                        spare=spare,
                        tag=f"s5-{phase}",
                    )
            stack.stop_all()
    return found


def _delivery(
    *, stack: Stack, plan: Plan, cast: Any, layer: str, port: int, this: dict[str, Any], wanted: Any
) -> None:
    """Scenarios 2, 3, 4 and 6 on one channel layer, with the sockets of
    scenario 2 held throughout."""
    from bench import scenarios

    cells = cast.cells[: plan.delivery_sockets // 10]
    people = [pid for cell in cells for pid in cell.people]
    with scenarios.held(scenarios.targets_for(people, cast.tokens, port)) as sockets:
        ok, failed = sockets.connect()

        def at_rates(scenario: Any, rates: tuple[float, ...], *, tag: str, **where: Any) -> list[Any]:
            """One open-loop run of ``scenario`` per rate, a pause between."""
            runs = []
            for rate in rates:
                runs.append(
                    scenario(
                        sockets=sockets,
                        cells=cells,
                        cast=cast,
                        rate=rate,
                        seconds=plan.rate_seconds,
                        tag=f"{tag}-{rate}",
                        **where,
                    )
                )
                time.sleep(2)
            return runs

        if wanted("delivery"):
            log(f"[{layer}] scenario 2: alert delivery with {ok} sockets held ({failed} failed)")
            runs = at_rates(scenarios.alert_delivery, plan.rates, tag=f"s2-{layer}", raise_port=port)
            this["alert_delivery"] = {
                "sockets": ok,
                "failed": failed,
                "retried": sockets.retried,
                "runs": runs,
            }
        if wanted("broadcast"):
            log(f"[{layer}] scenario 3: broadcast to a group of {plan.broadcast_size}")
            this["broadcast"] = scenarios.broadcast(
                port=port,
                sockets=sockets,
                conversation_id=cast.big_group,
                author_token=cast.tokens[people[0]],
                recipients=plan.broadcast_size,
                repeats=plan.broadcast_repeats,
            )
        if wanted("messages"):
            log(f"[{layer}] scenario 4: messages in {len(cells)} groups of 10, {ok} sockets held")
            runs = at_rates(scenarios.messages, plan.message_rates, tag=f"s4-{layer}", port=port)
            this["messages"] = {"sockets": ok, "groups": len(cells), "runs": runs}
    if not wanted("delivery"):
        return

    log(f"[{layer}] scenario 6: scale-out, sockets on a second web process")
    web_b, port_b = stack.daphne(f"web-b-{layer}")
    first = plan.delivery_sockets // 10
    cells_b = cast.cells[first : first + plan.scale_out_sockets // 10]
    people_b = [pid for cell in cells_b for pid in cell.people]
    with scenarios.held(scenarios.targets_for(people_b, cast.tokens, port_b)) as sockets:
        ok, _ = sockets.connect()
        this["scale_out"] = scenarios.alert_delivery(
            raise_port=port,
            sockets=sockets,
            cells=cells_b,
            cast=cast,
            rate=plan.scale_out_rate,
            seconds=plan.rate_seconds,
            tag=f"s6-{layer}",
        )
        this["scale_out"]["sockets_on_second_process"] = ok
    stack.stop(web_b)


def _git_state() -> dict[str, Any]:
    import subprocess

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=BASE_DIR, capture_output=True, text=True).stdout.strip()

    changed = [
        line[3:] for line in git("status", "--porcelain", "--", "messaging", "network", "config").splitlines()
    ]
    return {"head": git("rev-parse", "HEAD"), "uncommitted_app_files": changed}


_NAN_SUMMARY = {"p50_ms": math.nan, "p99_ms": math.nan, "max_ms": math.nan}
_NO_BASELINE: dict[str, Any] = {
    "memory_per_connection_kib": math.nan,
    "fan_out_3": {"last": _NAN_SUMMARY},
    "broadcast": {"last": _NAN_SUMMARY},
}


def _met(value: float, target: float) -> bool | None:
    return None if math.isnan(value) else value <= target


def rows(results: dict[str, Any], plan: Plan) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    base = results["baselines"]

    def row(scenario: str, figure: str, value: Any, unit: str = "", **extra: Any) -> None:
        value = math.nan if value is None else value
        out.append({"scenario": scenario, "figure": figure, "value": value, "unit": unit, **extra})

    if not base and not results["layers"] and "report" in results:  # python -m bench --only report
        from bench import network_report

        return network_report.rows(results["report"])
    rtt = base.get("redis_pubsub_rtt", _NO_BASELINE["fan_out_3"]["last"])
    row(
        "baseline",
        "Redis PUBLISH->SUBSCRIBE p50 / p99",
        rtt["p99_ms"],
        "ms",
        target=f"p50 {rtt['p50_ms']} ms",
    )
    for name in ["websockets_bare"] + [f"channels_floor_{layer}" for layer in plan.layers]:
        b = base.get(name, _NO_BASELINE)
        row("baseline", f"{name}: memory/conn", b["memory_per_connection_kib"], "KiB")
        row("baseline", f"{name}: fan-out to 3, last p99", b["fan_out_3"]["last"]["p99_ms"], "ms")
        row(
            "baseline",
            f"{name}: broadcast {plan.broadcast_size}, last p99",
            b["broadcast"]["last"]["p99_ms"],
            "ms",
        )

    for layer, this in results["layers"].items():
        floor = base.get(f"channels_floor_{layer}", _NO_BASELINE)
        for level in this.get("held", {}).get("levels", []):
            n = level["sockets"]
            value = level["memory_per_connection_kib"]
            held_all = level["open_after_idle"] >= n
            row(
                f"1 held [{layer}]",
                f"{n} sockets: memory/conn (open {level['open_after_idle']}, handshakes retried "
                f"{level.get('handshakes_retried', 0)})",
                value,
                "KiB",
                baseline=floor["memory_per_connection_kib"],
                ratio=report.ratio(value, floor["memory_per_connection_kib"]),
                target=f"<= {TARGET_MEMORY_KIB} KiB" + (" at 5000" if n == max(plan.held_levels) else ""),
                met=(_met(value, TARGET_MEMORY_KIB) and held_all) if n == max(plan.held_levels) else None,
            )
            row(f"1 held [{layer}]", f"{n} sockets: idle CPU", level["idle_cpu_percent"], "% of a core")
        for run in this.get("alert_delivery", {}).get("runs", []):
            rate = run["rate_per_second"]
            last = run["last"]["p99_ms"]
            top = rate == max(plan.rates)
            row(
                f"2 alert [{layer}]",
                f"{rate:g}/s: to every peer p99 (each p50 {run['each']['p50_ms']}, "
                f"max {run['last']['max_ms']}, missing {run['missing_deliveries']})",
                last,
                "ms",
                baseline=floor["fan_out_3"]["last"]["p99_ms"] if top else math.nan,
                ratio=report.ratio(last, floor["fan_out_3"]["last"]["p99_ms"]) if top else math.nan,
                target=f"<= {TARGET_ALERT_P99_MS} ms" if top else "",
                met=_met(last, TARGET_ALERT_P99_MS) and run["missing_deliveries"] == 0 if top else None,
            )
        b = this.get("broadcast")
        if b:
            last = b["last"]["p99_ms"]
            row(
                f"3 broadcast [{layer}]",
                f"{b['recipients']} recipients: to last p99 "
                f"(each p50 {b['each']['p50_ms']}, send answered p50 {b['response']['p50_ms']} ms, "
                f"missing {b['missing_deliveries']})",
                last,
                "ms",
                baseline=floor["broadcast"]["last"]["p99_ms"],
                ratio=report.ratio(last, floor["broadcast"]["last"]["p99_ms"]),
                target=f"<= {TARGET_BROADCAST_P99_MS} ms",
                met=_met(last, TARGET_BROADCAST_P99_MS) and b["missing_deliveries"] == 0,
            )
        for run in this.get("messages", {}).get("runs", []):
            last = run["last"]["p99_ms"]
            row(
                f"4 messages [{layer}]",
                f"{run['rate_per_second']:g}/s in groups of 10: to every member p99 (each p50 "
                f"{run['each']['p50_ms']}, {run['delivered_frames_per_second']:g} frames/s, "
                f"errors {run['errors']}, missing {run['missing_deliveries']})",
                last,
                "ms",
                baseline=floor["fan_out_3"]["last"]["p99_ms"],
                ratio=report.ratio(last, floor["fan_out_3"]["last"]["p99_ms"]),
            )
        if "scale_out" not in this:
            continue
        s = this["scale_out"]
        same = next(
            (r for r in this["alert_delivery"]["runs"] if r["rate_per_second"] == s["rate_per_second"]), None
        )
        single = same["last"]["p99_ms"] if same else math.nan
        row(
            f"6 scale-out [{layer}]",
            f"{s['rate_per_second']:g}/s raised on A, peers on B: "
            f"every peer p99 (missing {s['missing_deliveries']})",
            s["last"]["p99_ms"],
            "ms",
            baseline=single,
            ratio=report.ratio(s["last"]["p99_ms"], single),
            met=s["missing_deliveries"] == 0,
            target="all delivered",
        )

    if "report" in results:
        from bench import network_report

        out += network_report.rows(results["report"])

    esc = results.get("escalation")
    if esc:
        from django.conf import settings

        sweep_ms = settings.ALERT_SWEEP_SECONDS * 1000
        for name, run, target in (
            ("steady", esc["steady"], TARGET_STEP_P99_MS),
            ("only worker killed", esc["worker_killed"], TARGET_STEP_AFTER_KILL_MS),
            ("one of two workers killed", esc["one_of_two_killed"], TARGET_STEP_AFTER_KILL_MS),
        ):
            p99, worst = run["lateness"]["p99_ms"], run["lateness"]["max_ms"]
            value = p99 if name == "steady" else worst
            row(
                f"5 escalation [{esc['layer']}]",
                f"{name}: {'p99' if name == 'steady' else 'max'} late (p50 {run['lateness']['p50_ms']}, "
                f"p99 {p99}, max {worst}; lost {run['lost']}, doubled {run['doubled']})",
                value,
                "ms",
                baseline=sweep_ms,
                ratio=report.ratio(value, sweep_ms),
                target=f"<= {target} ms, 0 lost, 0 doubled",
                met=_met(value, target) and run["lost"] == 0 and run["doubled"] == 0,
            )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="the small CI version (about 50 sockets)")
    parser.add_argument("--json", type=Path, help="where to write the figures (default bench/results/)")
    parser.add_argument(
        "--only",
        action="append",
        choices=["baselines", "held", "delivery", "broadcast", "messages", "escalation", "report"],
        help="run only these parts (repeatable); default: everything",
    )
    parser.add_argument(
        "--layer", choices=["pubsub", "core"], help="measure the service on this channel layer only"
    )
    args = parser.parse_args(argv)
    plan = SMOKE if args.smoke else FULL
    if args.layer:
        plan = dataclasses.replace(plan, layers=(args.layer,))
    only = set(args.only or [])
    stamp = time.strftime("%Y%m%dT%H%M%S") + ("-smoke" if plan.smoke else "")
    json_path = args.json or RESULTS_DIR / f"{stamp}.json"
    log_dir = RESULTS_DIR / f"logs-{stamp}"
    log_dir.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)

    started = time.monotonic()
    db_name = f"crisisnet_bench_smoke_{os.getpid()}" if plan.smoke else "crisisnet_bench"
    if only == {"report"}:  # no service: its own database, beside any full run
        db_name = f"crisisnet_bench_report_{os.getpid()}"
    redis_db = int(os.environ.get("BENCH_REDIS_DB", "10" if plan.smoke else "9"))
    prefix = f"bench{os.getpid()}"
    with bench_redis(redis_db) as redis_url, bench_database(db_name) as database_url:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CHANNEL_PREFIX": prefix,
            "WEBSOCKET_HEARTBEAT_SECONDS": str(plan.heartbeat_seconds),
            "PYTHONUNBUFFERED": "1",
        }
        os.environ.update(env)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        from bench import fixtures, scenarios

        stack = Stack(env=env, log_dir=log_dir)
        try:
            log(f"database {db_name}, Redis db {redis_db}; logs in {log_dir}")
            call_command("migrate", verbosity=0)
            service = not only or bool(only - {"baselines", "report"})
            if service:
                cast = fixtures.make_cast(networks=plan.networks)
                delivery_people = [
                    pid for cell in cast.cells[: plan.delivery_sockets // 10] for pid in cell.people
                ]
                cast.big_group = fixtures.make_big_group(person_ids=delivery_people[: plan.broadcast_size])
                log(f"{len(cast.cells)} networks of 10, {len(cast.tokens)} people with device tokens")
            results: dict[str, Any] = {
                "meta": {
                    "smoke": plan.smoke,
                    "started": stamp,
                    "machine": report.machine(),
                    "command": "python -m bench"
                    + (" --smoke" if plan.smoke else "")
                    + "".join(f" --only {name}" for name in sorted(only))
                    + (f" --layer {args.layer}" if args.layer else ""),
                    "database": "postgresql",
                    "git": _git_state(),
                    "heartbeat_seconds": plan.heartbeat_seconds,
                },
                "baselines": (
                    scenarios.baselines(stack=stack, plan=plan, redis_url=redis_url)
                    if not only or "baselines" in only
                    else {}
                ),
            }
            if service:
                results.update(
                    run_service(
                        stack=stack, plan=plan, cast=cast, redis_url=redis_url, prefix=prefix, only=only
                    )
                )
            else:
                results["layers"] = {}
            if not only or "report" in only:
                from bench import network_report

                log(f"scenario 7: the network report over a year of {plan.report_alerts} alerts")
                results["report"] = network_report.run(alerts=plan.report_alerts, repeats=plan.report_repeats)
        finally:
            stack.stop_all()
            connections.close_all()
    results["meta"]["duration_seconds"] = round(time.monotonic() - started, 1)
    table_rows = rows(results, plan)
    results["table"] = table_rows
    report.write_json(json_path, results)
    print(report.table(table_rows))
    print(f"\nmachine: {results['meta']['machine']}")
    print(f"figures: {json_path} ({results['meta']['duration_seconds']} s)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted: every process started was stopped", file=sys.stderr)
        sys.exit(130)
