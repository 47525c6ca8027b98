"""The benchmark harness keeps working: run ``python -m bench --smoke`` (about
50 sockets, a few seconds per scenario) against real processes and check the
JSON holds every scenario with numeric figures, and that nothing was lost,
doubled or left undelivered (correctness, not speed). No speed is asserted here:
the targets are measured by ``make bench`` and recorded in docs/performance.md."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def test_the_smoke_bench_reports_every_scenario_with_numbers(tmp_path: Path) -> None:
    out = tmp_path / "smoke.json"
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--json", str(out)],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    results = json.loads(out.read_text())

    baselines = results["baselines"]
    assert _number(baselines["redis_pubsub_rtt"]["p99_ms"])
    for name in ("websockets_bare", "channels_floor_pubsub"):
        assert _number(baselines[name]["memory_per_connection_kib"])
        assert _number(baselines[name]["fan_out_3"]["last"]["p99_ms"])
        assert _number(baselines[name]["broadcast"]["each"]["p99_ms"])

    core = results["layers"]["pubsub"]  # the service's layer
    for level in core["held"]["levels"]:
        assert _number(level["memory_per_connection_kib"])
        assert _number(level["idle_cpu_percent"])
    for run_at_rate in core["alert_delivery"]["runs"]:
        assert run_at_rate["each"]["n"] > 0
        assert _number(run_at_rate["each"]["p99_ms"])
        assert run_at_rate["missing_deliveries"] == 0, run_at_rate
    assert core["broadcast"]["each"]["n"] > 0
    assert _number(core["broadcast"]["each"]["p99_ms"])
    assert core["scale_out"]["each"]["n"] > 0
    assert _number(core["scale_out"]["each"]["p99_ms"])
    assert core["scale_out"]["missing_deliveries"] == 0
    for phase in ("steady", "worker_killed", "one_of_two_killed"):
        escalation = results["escalation"][phase]
        assert _number(escalation["lateness"]["p99_ms"])
        assert escalation["lost"] == 0, escalation
        assert escalation["doubled"] == 0, escalation
    for run_at_rate in core["messages"]["runs"]:
        assert run_at_rate["each"]["n"] > 0
        assert _number(run_at_rate["each"]["p99_ms"])
        assert _number(run_at_rate["delivered_frames_per_second"])
    assert results["table"], "the printed table is in the JSON too"
