"""The scenarios and baselines of issue 7. Each returns a dict of figures;
``bench.__main__`` turns them into the table and the JSON file."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing as mp
import sys
import time
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from typing import Any

import psutil

from bench import clients
from bench.report import ratio, summary_ms
from bench.stack import Process, Stack, free_port, wait_for_port

SPAWN = mp.get_context("spawn")
SOCKETS_PER_PROCESS = 1250


@dataclass(frozen=True)
class Plan:
    smoke: bool
    held_levels: tuple[int, ...]
    idle_seconds: float
    heartbeat_seconds: float
    delivery_sockets: int
    rates: tuple[float, ...]
    rate_seconds: float
    broadcast_size: int
    broadcast_repeats: int
    message_rates: tuple[float, ...]
    escalation_alerts: int
    escalation_window: float
    scale_out_sockets: int
    scale_out_rate: float
    layers: tuple[str, ...]
    rtt_samples: int
    report_alerts: int = 4000
    report_repeats: int = 30

    @property
    def networks(self) -> int:
        return max(max(self.held_levels), self.delivery_sockets + self.scale_out_sockets) // 10


FULL = Plan(
    smoke=False,
    held_levels=(1000, 2000, 5000),
    idle_seconds=15,
    heartbeat_seconds=15,
    delivery_sockets=2000,
    rates=(10, 100),
    rate_seconds=10,
    broadcast_size=1000,
    broadcast_repeats=15,
    message_rates=(10, 25, 50),
    escalation_alerts=1000,
    escalation_window=60,
    scale_out_sockets=1000,
    scale_out_rate=10,
    layers=("pubsub", "core"),
    rtt_samples=2000,
)
SMOKE = Plan(
    smoke=True,
    held_levels=(20, 50),
    idle_seconds=2,
    heartbeat_seconds=5,
    delivery_sockets=50,
    rates=(5, 10),
    rate_seconds=2,
    broadcast_size=30,
    broadcast_repeats=2,
    message_rates=(5,),
    escalation_alerts=30,
    escalation_window=3,
    scale_out_sockets=20,
    scale_out_rate=5,
    layers=("pubsub",),
    rtt_samples=200,
    report_alerts=300,
    report_repeats=5,
)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _recv(conn: Connection, timeout: float) -> Any:
    if not conn.poll(timeout):
        raise TimeoutError("a load client did not answer in time")
    return conn.recv()


class Sockets:
    """Websockets held by client processes (``clients.hold``)."""

    def __init__(self, targets: list[clients.Target], *, ack: bool = True) -> None:
        self.count = len(targets)
        self.retried = 0
        self.children: list[tuple[mp.process.BaseProcess, Connection]] = []
        for start in range(0, len(targets), SOCKETS_PER_PROCESS):
            parent, child = SPAWN.Pipe()
            process = SPAWN.Process(
                target=clients.hold,
                args=(child, targets[start : start + SOCKETS_PER_PROCESS], ack),
                daemon=True,
            )
            process.start()
            self.children.append((process, parent))

    def _ask(self, command: str, timeout: float) -> list[Any]:
        for _, conn in self.children:
            conn.send(command)
        return [_recv(conn, timeout) for _, conn in self.children]

    def connect(self) -> tuple[int, int]:
        """Open every socket; returns (open, failed). ``retried`` counts the
        handshakes that had to be tried again."""
        answers = self._ask("connect", timeout=900)
        self.retried = sum(a[2] for a in answers)
        return sum(a[0] for a in answers), sum(a[1] for a in answers)

    def drain(self) -> list[tuple[float, int, str, str]]:
        return [record for answer in self._ask("drain", timeout=60) for record in answer]

    def drain_until_quiet(self, *, quiet: float = 3.0, timeout: float = 180) -> tuple[list[Any], float]:
        """Keep reading until no frame has arrived for ``quiet`` seconds, so a
        scenario counts every delivery however late, and the next one starts
        with nothing of this one still in flight. Returns the records and the
        seconds listened."""
        started = time.monotonic()
        records: list[tuple[float, int, str, str]] = []
        last_new = started
        while time.monotonic() - last_new < quiet and time.monotonic() - started < timeout:
            time.sleep(0.5)
            batch = self.drain()
            if batch:
                records.extend(batch)
                last_new = time.monotonic()
        return records, round(time.monotonic() - started, 1)

    def open_count(self) -> int:
        return sum(a[0] for a in self._ask("status", timeout=60))

    def close(self) -> None:
        for _, conn in self.children:
            with contextlib.suppress(Exception):
                conn.send("close")
        for process, conn in self.children:
            with contextlib.suppress(Exception):
                _recv(conn, 30)
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
        self.children.clear()


@contextlib.contextmanager
def held(targets: list[clients.Target], *, ack: bool = True) -> Iterator[Sockets]:
    sockets = Sockets(targets, ack=ack)
    try:
        yield sockets
    finally:
        sockets.close()


def _run_child(target: Any, *args: Any, timeout: float) -> Any:
    parent, child = SPAWN.Pipe()
    process = SPAWN.Process(target=target, args=(child, *args), daemon=True)
    process.start()
    try:
        return _recv(parent, timeout)
    finally:
        process.join(timeout=10)
        if process.is_alive():
            process.kill()


def _rss(process: Process) -> int:
    return int(psutil.Process(process.pid).memory_info().rss)


# --- baselines ---------------------------------------------------------------


def redis_round_trip(*, redis_url: str, samples: int, rate: float = 500) -> dict[str, Any]:
    """PUBLISH to SUBSCRIBE on the bench Redis, open-loop."""
    import redis.asyncio as aioredis

    async def main() -> list[float]:
        channel = f"bench-rtt-{time.time_ns()}"
        sub_client, pub_client = aioredis.Redis.from_url(redis_url), aioredis.Redis.from_url(redis_url)
        pubsub = sub_client.pubsub()
        await pubsub.subscribe(channel)
        await pubsub.get_message(timeout=1)
        sent: dict[int, float] = {}
        latencies: list[float] = []

        async def listen() -> None:
            while len(latencies) < samples:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=5)
                if message is None:
                    return
                latencies.append(time.time() - sent[int(message["data"])])

        listener = asyncio.ensure_future(listen())
        start = time.time() + 0.1
        for i in range(samples):
            sent[i] = start + i / rate
            await asyncio.sleep(max(0.0, sent[i] - time.time()))
            await pub_client.publish(channel, str(i))
        await asyncio.wait_for(listener, timeout=30)
        await pubsub.aclose()
        await sub_client.aclose()
        await pub_client.aclose()
        return latencies

    return summary_ms(asyncio.run(main()))


def group_server(*, url: str, process: Process, plan: Plan) -> dict[str, Any]:
    """Memory per connection, fan-out to groups of 3 at the top alert rate,
    and one broadcast to a ``broadcast_size`` group, on a server speaking the
    bench.floor protocol (the bare websockets server or the Channels floor)."""
    groups_of_three = max(1, plan.delivery_sockets // 20)
    warm = [clients.Target(-1 - i, f"{url}/?group=warm") for i in range(20)]
    targets = [clients.Target(i, f"{url}/?group=g{i // 3}") for i in range(groups_of_three * 3)]
    targets += [clients.Target(10**6 + i, f"{url}/?group=all") for i in range(plan.broadcast_size)]
    with held(warm, ack=False) as warm_sockets:
        warm_sockets.connect()
        time.sleep(0.5)
        rss_before = _rss(process)
        with held(targets, ack=False) as sockets:
            ok, failed = sockets.connect()
            time.sleep(1)
            per_connection = (_rss(process) - rss_before) / max(ok, 1)

            rate = max(plan.rates)
            fires = [(f"g{i % groups_of_three}", f"f{i}") for i in range(int(rate * plan.rate_seconds))]
            sent = dict(
                _run_child(clients.fire_ws, f"{url}/?group=sender", fires, rate, time.time() + 1, timeout=300)
            )
            time.sleep(1)
            fan_out = _fan_out(sent, sockets.drain(), expected=3, kind="bench")

            fires = [("all", f"b{i}") for i in range(plan.broadcast_repeats)]
            sent = dict(
                _run_child(clients.fire_ws, f"{url}/?group=sender", fires, 2.0, time.time() + 1, timeout=300)
            )
            time.sleep(1)
            broadcast = _fan_out(sent, sockets.drain(), expected=plan.broadcast_size, kind="bench")
    return {
        "connections": ok,
        "failed": failed,
        "memory_per_connection_kib": round(per_connection / 1024, 1),
        "fan_out_3": fan_out,
        "broadcast": broadcast,
    }


def _fan_out(
    sent: dict[str, float], records: list[tuple[float, int, str, str]], *, expected: int, kind: str
) -> dict[str, Any]:
    """Latency from each scheduled send to each receiving socket, and to the
    last of the ``expected`` receivers of each send."""
    per_key: dict[str, list[float]] = defaultdict(list)
    for received, _, record_kind, key in records:
        if record_kind == kind and key in sent:
            per_key[key].append(received - sent[key])
    each = [latency for latencies in per_key.values() for latency in latencies]
    complete = [max(latencies) for latencies in per_key.values() if len(latencies) >= expected]
    missing = sum(max(0, expected - len(per_key.get(key, []))) for key in sent)
    return {
        "sent": len(sent),
        "each": summary_ms(each),
        "last": summary_ms(complete),
        "missing_deliveries": missing,
    }


def baselines(*, stack: Stack, plan: Plan, redis_url: str) -> dict[str, Any]:
    log("baseline: Redis PUBLISH -> SUBSCRIBE")
    found: dict[str, Any] = {
        "redis_pubsub_rtt": redis_round_trip(redis_url=redis_url, samples=plan.rtt_samples)
    }
    log("baseline: bare websockets server")
    port = free_port()
    bare = stack.start("ws-baseline", [sys.executable, "-m", "bench.ws_server", str(port)])
    wait_for_port(port, bare)
    try:
        found["websockets_bare"] = group_server(url=f"ws://127.0.0.1:{port}", process=bare, plan=plan)
    finally:
        stack.stop(bare)
    for layer in plan.layers:
        log(f"baseline: Channels floor consumer on the {layer} layer")
        floor, port = stack.daphne(f"floor-{layer}", "bench.floor:application", BENCH_CHANNEL_LAYER=layer)
        try:
            found[f"channels_floor_{layer}"] = group_server(
                url=f"ws://127.0.0.1:{port}", process=floor, plan=plan
            )
        finally:
            stack.stop(floor)
    return found


# --- the service -------------------------------------------------------------


def targets_for(person_ids: list[int], tokens: dict[int, str], port: int) -> list[clients.Target]:
    return [clients.Target(pid, f"ws://127.0.0.1:{port}/ws/v1/", tokens[pid]) for pid in person_ids]


def held_connections(*, web: Process, port: int, cast: Any, plan: Plan) -> dict[str, Any]:
    """Scenario 1: idle authenticated sockets with heartbeats, added in steps."""
    everyone = [pid for cell in cast.cells for pid in cell.people]
    warm_ids, rest = everyone[:20], everyone[20:]
    levels: list[dict[str, Any]] = []
    with contextlib.ExitStack() as holding:
        warm = holding.enter_context(held(targets_for(warm_ids, cast.tokens, port)))
        warm.connect()
        time.sleep(1)
        rss_before = _rss(web)
        groups = [warm]
        have = 0
        for level in plan.held_levels:
            started = time.monotonic()
            # Up to ``level`` sockets on the process, the warm-up ones included.
            adding = rest[max(have - len(warm_ids), 0) : level - len(warm_ids)]
            group = holding.enter_context(held(targets_for(adding, cast.tokens, port)))
            groups.append(group)
            ok, failed = group.connect()
            connect_seconds = time.monotonic() - started
            have = level
            time.sleep(1)
            cpu = psutil.Process(web.pid)
            cpu.cpu_percent(None)
            time.sleep(plan.idle_seconds)
            idle_cpu = cpu.cpu_percent(None)
            # The warm-up sockets count as open (they are, on this process) but not
            # in the memory per socket, which is the growth since they opened.
            added = sum(g.open_count() for g in groups[1:])
            open_now = added + warm.open_count()
            rss = _rss(web)
            log(f"  {level} sockets: {open_now} open, rss {rss / 2**20:.0f} MiB, idle cpu {idle_cpu:.1f}%")
            levels.append(
                {
                    "sockets": level,
                    "open_after_idle": open_now,
                    "failed": failed,
                    "handshakes_retried": group.retried,
                    "connect_per_second": round(ok / connect_seconds, 1) if connect_seconds else None,
                    "rss_mib": round(rss / 2**20, 1),
                    "memory_per_connection_kib": round((rss - rss_before) / max(added, 1) / 1024, 1),
                    "idle_cpu_percent": round(idle_cpu, 1),
                }
            )
    return {"heartbeat_seconds": plan.heartbeat_seconds, "levels": levels}


def _raises(cells: list[Any], tokens: dict[int, str], count: int, tag: str) -> list[clients.Post]:
    from bench import fixtures

    fixtures.end_open_alerts()
    fixtures.check_raisers_suffice(cells, count)
    out = []
    for i in range(count):
        cell = cells[i % len(cells)]
        raiser = cell.raisers[(i // len(cells)) % len(cell.raisers)]
        body = {"network_id": cell.network_id, "all_networks": False}
        out.append(clients.Post(key=f"{tag}-{i}", token=tokens[raiser], path="/api/v1/alerts/", body=body))
    return out


def _messages(cells: list[Any], tokens: dict[int, str], count: int, tag: str) -> list[clients.Post]:
    """Messages spread over the cells' group conversations, each from a member
    of that group in turn."""
    out = []
    for i in range(count):
        cell = cells[i % len(cells)]
        author = cell.people[(i // len(cells)) % len(cell.people)]
        out.append(
            clients.Post(
                key=f"{tag}-{i}",
                token=tokens[author],
                path=f"/api/v1/conversations/{cell.conversation_id}/messages/",
                body={"text": f"bench message {i}: see you at the group on thursday"},
            )
        )
    return out


def wait_until_quiet(port: int, *, timeout: float = 300) -> float:
    """Wait until the web process answers a sync request (the liveness probe,
    which queues behind every other sync request) in under 100 ms three times
    running, so a scenario does not measure the previous one's queue. Returns
    the seconds waited."""
    started = time.monotonic()
    fast = 0
    while fast < 3 and time.monotonic() - started < timeout:
        asked = time.monotonic()
        with contextlib.suppress(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health/live/", timeout=30).read()
        fast = fast + 1 if time.monotonic() - asked < 0.1 else 0
        time.sleep(0.2)
    return round(time.monotonic() - started, 1)


def _post_and_fan_out(
    *, port: int, sockets: Sockets, posts: list[clients.Post], rate: float, expected: int, kind: str
) -> dict[str, Any]:
    """POST open-loop at ``rate``; time from each scheduled POST to each socket
    receiving the ``kind`` frame for what it created, and to the last of the
    ``expected`` receivers."""
    waited = wait_until_quiet(port)
    sockets.drain()
    seconds = len(posts) / rate
    answers = _run_child(
        clients.fire_http, f"http://127.0.0.1:{port}", posts, rate, time.time() + 1, timeout=seconds + 300
    )
    records, listened = sockets.drain_until_quiet()
    sent = {created: scheduled for _, scheduled, _, status, created in answers if status in (200, 201)}
    result = _fan_out(sent, records, expected=expected, kind=kind)
    result["listened_after_last_answer_seconds"] = listened
    result["rate_per_second"] = rate
    result["waited_for_quiet_seconds"] = waited
    result["posted"] = len(answers)
    result["errors"] = sum(1 for a in answers if a[3] not in (200, 201))
    result["response"] = summary_ms([answered - scheduled for _, scheduled, answered, _, _ in answers])
    return result


def alert_delivery(
    *, raise_port: int, sockets: Sockets, cells: list[Any], cast: Any, rate: float, seconds: float, tag: str
) -> dict[str, Any]:
    """Scenario 2: alerts raised over REST at a fixed rate; time from the
    scheduled raise to each on-call peer's socket, and to the last of the three."""
    raises = _raises(cells, cast.tokens, int(rate * seconds), tag)
    return _post_and_fan_out(
        port=raise_port, sockets=sockets, posts=raises, rate=rate, expected=3, kind="alert.offered"
    )


def messages(
    *, port: int, sockets: Sockets, cells: list[Any], cast: Any, rate: float, seconds: float, tag: str
) -> dict[str, Any]:
    """Scenario 4: messages sent over REST at a fixed rate into the groups of
    10; time from the scheduled send to each member's socket (the author's
    too: their other devices hear of it), and to the last of the ten."""
    posts = _messages(cells, cast.tokens, int(rate * seconds), tag)
    result = _post_and_fan_out(
        port=port, sockets=sockets, posts=posts, rate=rate, expected=len(cells[0].people), kind="message.new"
    )
    window = seconds + result["last"].get("max_ms", 0) / 1000 if result["last"]["n"] else seconds
    result["delivered_frames_per_second"] = round(result["each"]["n"] / window, 1)
    return result


def broadcast(
    *, port: int, sockets: Sockets, conversation_id: str, author_token: str, recipients: int, repeats: int
) -> dict[str, Any]:
    """Scenario 3: one message to a group conversation of ``recipients``
    members, sent over REST like any other; time to each member's socket and
    to the last one."""
    posts = [
        clients.Post(
            key=f"broadcast-{time.time_ns()}-{i}",
            token=author_token,
            path=f"/api/v1/conversations/{conversation_id}/messages/",
            body={"text": f"bench broadcast {i}: the group meets at 7 tonight"},
        )
        for i in range(repeats)
    ]
    rate = 2.0 if recipients < 100 else 0.5
    result = _post_and_fan_out(
        port=port, sockets=sockets, posts=posts, rate=rate, expected=recipients, kind="message.new"
    )
    result["recipients"] = recipients
    result["sockets_open_after"] = sockets.open_count()
    return result


def escalation(
    *, stack: Stack, worker: Process, cast: Any, plan: Plan, kill: bool, tag: str, spare: bool = False
) -> tuple[dict[str, Any], Process]:
    """Scenario 5: ``escalation_alerts`` alerts whose step 1 falls due over the
    window, raised while earlier ones fall due; optionally the worker is killed
    with SIGKILL halfway and a new one started at once. With ``spare`` a second
    worker runs throughout (production runs two), so the kill measures the
    failover to it; without, the kill leaves no worker until the new one is up."""
    from bench import fixtures

    second = stack.worker(f"worker-spare-{tag}") if spare else None
    if second is not None:
        time.sleep(5)  # both workers up and consuming before the window opens

    count, window = plan.escalation_alerts, plan.escalation_window
    cells = cast.cells
    # Raising runs the whole action (about 0.1 s here), so the window starts
    # once every alert can be raised before its step falls due: time a few
    # first, and keep a margin for the load the falling-due steps add.
    fixtures.end_open_alerts()
    probe_started = time.time()
    for i in range(5):
        cell = cells[-1 - i]
        fixtures.raise_alert_due_at(
            cell=cell,
            raiser=cell.raisers[-1],
            key=f"{tag}-probe-{i}",
            due_at=datetime.now(tz=UTC) + timedelta(hours=1),
        )
    per_raise = (time.time() - probe_started) / 5
    fixtures.end_open_alerts()  # the probes and earlier runs: every raise below is a new alert
    fixtures.check_raisers_suffice(cells, count)
    lead = 2.0 + max(0.0, count * per_raise * 1.5 - window)
    window_start = time.time() + lead
    dues = [window_start + window * i / count for i in range(count)]
    alert_ids = []
    in_time = []
    kill_at = window_start + window / 2
    killed = restarted = None
    for i, due in enumerate(dues):
        if kill and killed is None and time.time() >= kill_at:
            killed, worker = _kill_and_restart(stack, worker)
            restarted = time.time()
        cell = cells[i % len(cells)]
        raiser = cell.raisers[(i // len(cells)) % len(cell.raisers)]
        alert_id = fixtures.raise_alert_due_at(
            cell=cell, raiser=raiser, key=f"{tag}-{i}", due_at=datetime.fromtimestamp(due, tz=UTC)
        )
        alert_ids.append(alert_id)
        # A step that was due before its alert existed measures the raise, not the scheduler.
        if time.time() < due - 0.05:
            in_time.append(alert_id)
    while kill and killed is None:
        if time.time() >= kill_at:
            killed, worker = _kill_and_restart(stack, worker)
            restarted = time.time()
        time.sleep(0.05)
    deadline = dues[-1] + (10 if plan.smoke else 20)
    while time.time() < deadline:
        audit = fixtures.audit_step(alert_ids=alert_ids, step=1)
        if audit.lost == 0:
            break
        time.sleep(1)
    audit = fixtures.audit_step(alert_ids=in_time, step=1)
    everyone = fixtures.audit_step(alert_ids=alert_ids, step=1)
    result = {
        "alerts": count,
        "window_seconds": window,
        "seconds_per_raise": round(per_raise, 3),
        "raised_too_late_to_count": count - len(in_time),
        "lost_of_all": everyone.lost,
        "doubled_of_all": everyone.doubled,
        "lateness": summary_ms(audit.lateness),
        "lost": audit.lost,
        "doubled": audit.doubled,
    }
    if kill:
        result["worker_killed_at_s"] = round((killed or 0) - window_start, 1)
        result["new_worker_started_at_s"] = round((restarted or 0) - window_start, 1)
    result["workers"] = 2 if spare else 1
    if second is not None:
        stack.stop(second)
    return result, worker


def _kill_and_restart(stack: Stack, worker: Process) -> tuple[float, Process]:
    log("  SIGKILL to the Celery worker (and its pool); starting a new one")
    worker.kill_hard()
    killed = time.time()
    stack.processes.remove(worker)
    return killed, stack.worker(name=f"worker-{int(killed)}")


def ratio_rows(value: float, baseline: float) -> dict[str, float]:
    return {"baseline": baseline, "ratio": ratio(value, baseline)}
