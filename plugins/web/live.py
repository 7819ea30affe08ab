"""``GET /events``: the events table as Server-Sent Events (docs/web.md, "Live").

Each event goes out with its id (``id: 42``), its kind as the SSE event name and its row as JSON.
A browser that reconnects sends ``Last-Event-ID`` and gets everything after it: ids only grow and
are never reused, so nothing is missed (unless pruned meanwhile). A page passes ``?after=N``, the
newest id when it was rendered; without either, the stream starts at the newest event.
"""

from __future__ import annotations

import functools
import json
from collections.abc import AsyncIterator
from typing import Any

import anyio
from shelver.api import events_since, latest_event_id
from shelver.plugins.web.forms import web_of
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

POLL_SECONDS = 0.25
KEEPALIVE_SECONDS = 15.0
BATCH = 500


def _start(request: Request) -> int | None:
    for text in (request.headers.get("last-event-id"), request.query_params.get("after")):
        if text is not None and text.strip().isdigit():
            return int(text.strip())
    return None


def frame(event: dict[str, Any]) -> str:
    data = json.dumps({k: event[k] for k in ("id", "ts", "run_id", "item_id", "kind", "payload")},
                      default=str)
    return f"id: {event['id']}\nevent: {event['kind']}\ndata: {data}\n\n"


async def stream(request: Request) -> Response:
    web = web_of(request)
    given = _start(request)
    if given is None and request.query_params.get("after") not in (None, ""):
        return PlainTextResponse("after must be an event id (a number)", status_code=400)
    run_filter = request.query_params.get("run")
    run_id = int(run_filter) if run_filter and run_filter.isdigit() else None

    async def events() -> AsyncIterator[str]:
        after = given if given is not None else await run_in_threadpool(latest_event_id, web.state)
        yield "retry: 1000\n\n"
        idle = 0.0
        while True:
            batch = await run_in_threadpool(
                functools.partial(events_since, web.state, after, BATCH, run_id=run_id))
            for event in batch:
                after = event["id"]
                yield frame(event)
            if batch:
                idle = 0.0
                if len(batch) == BATCH:
                    continue
            if await request.is_disconnected():
                return
            await anyio.sleep(POLL_SECONDS)
            idle += POLL_SECONDS
            if idle >= KEEPALIVE_SECONDS:
                idle = 0.0
                yield ": keep-alive\n\n"

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"x-accel-buffering": "no"})
