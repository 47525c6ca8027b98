"""The bare baseline: the same group protocol as bench.floor, written with
the ``websockets`` library alone (no ASGI, no channel layer, no database).

    python -m bench.ws_server PORT
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import defaultdict
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import broadcast, serve

from bench.clients import raise_open_file_limit

GROUPS: dict[str, set[Any]] = defaultdict(set)


async def handler(ws: Any) -> None:
    group = parse_qs(urlsplit(ws.request.path).query).get("group", ["all"])[0]
    GROUPS[group].add(ws)
    try:
        await ws.send('{"type":"hello"}')
        async for raw in ws:
            frame = json.loads(raw)
            if frame.get("type") == "fire":
                broadcast(GROUPS[frame["group"]], json.dumps({"type": "bench", "k": frame["k"]}))
    finally:
        GROUPS[group].discard(ws)


async def main(port: int) -> None:
    async with serve(handler, "127.0.0.1", port, ping_interval=None, max_queue=None):
        await asyncio.Future()


if __name__ == "__main__":
    raise_open_file_limit()
    asyncio.run(main(int(sys.argv[1])))
