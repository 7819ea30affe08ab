"""Calling a pipeline hook from the engine: sync implementations in a worker thread under a
named capacity limiter, async ones awaited on trio; one failing implementation of a hook that
every plugin answers is logged and the others still run."""

from __future__ import annotations

import inspect
import logging
from typing import Any

from shelver.context import RunContext
from shelver.model import Item, Status

log = logging.getLogger("shelver")


async def _await_maybe(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


async def call_first(run: RunContext, hook: str, limiter: str, **kwargs: Any) -> Any:
    """Call a firstresult hook in a worker thread, then await an awaitable answer on trio."""
    caller = getattr(run.pm.hook, hook)
    # Boxed: trio refuses a thread function that returns a coroutine (an async implementation's
    # answer), which we await here on the event loop.
    (answer,) = await run.to_thread(lambda: (caller(**kwargs),), limiter=limiter)
    return await _await_maybe(answer)


async def call_all(run: RunContext, hook: str, limiter: str, **kwargs: Any) -> list[Any]:
    """Call every implementation in a worker thread; await the awaitable answers in order."""
    caller = getattr(run.pm.hook, hook)
    results = await run.to_thread(lambda: caller(**kwargs), limiter=limiter)
    return [await _await_maybe(result) for result in results]


async def call_each(run: RunContext, hook: str, limiter: str, **kwargs: Any) -> None:
    """Call every implementation separately, so one plugin's exception (logged) never keeps the
    others from running: for notification hooks."""
    plugins = [p for _name, p in run.pm.list_name_plugin() if p is not None]
    for impl in getattr(run.pm.hook, hook).get_hookimpls():
        others = [p for p in plugins if p is not impl.plugin]
        caller = run.pm.subset_hook_caller(hook, remove_plugins=others)
        try:
            for result in await run.to_thread(lambda c=caller: c(**kwargs), limiter=limiter):
                await _await_maybe(result)
        except Exception as exc:
            log.warning("%s of plugin %r failed: %s: %s", hook, impl.plugin_name, type(exc).__name__, exc)


async def call_enrich(run: RunContext, item: Item) -> list[Any]:
    """``shelver_enrich``, each implementation on its own and in the usual order: one that
    raises (an NFO, artwork, MP4 tags) is a warning naming the file, never a failed item, since
    the file is already placed."""
    plugins = [p for _name, p in run.pm.list_name_plugin() if p is not None]
    answers: list[Any] = []
    for impl in reversed(run.pm.hook.shelver_enrich.get_hookimpls()):
        others = [p for p in plugins if p is not impl.plugin]
        caller = run.pm.subset_hook_caller("shelver_enrich", remove_plugins=others)
        try:
            for result in await run.to_thread(lambda c=caller: c(item=item, ctx=run), limiter="tag"):
                answers.append(await _await_maybe(result))
        except Exception as exc:
            log.warning("%s: %s failed (%s: %s); the file stays %s", item.path, impl.plugin_name,
                        type(exc).__name__, exc, (item.status or Status.ORGANISED).value)
    return answers
