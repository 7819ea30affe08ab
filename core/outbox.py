"""Deliveries to services outside shelver: media-server refreshes and notifications
(docs/media-servers.md).

At the end of a run (a daemon: once its changes have been quiet for ``watch.debounce_seconds``)
the engine calls :func:`announce` with every library folder the run changed and the run's
summary; ``shelver undo`` calls it with what it removed or restored. :func:`announce` fires
``shelver_library_changed`` and ``shelver_run_summary``, and sends the
:class:`~shelver.model.Delivery` objects the plugins return through ``shelver_deliver``, the one
plugin named in each answering. A delivery that fails (a server down, slow, refusing the key)
never fails an item or the run: it is written to the ``deliveries`` table and tried again by
:func:`retry_due` (as the next run starts, beside its files, and at its end; a daemon every
``RETRY_TICK_SECONDS``), backing
off from ``RETRY_FIRST_SECONDS`` doubling to ``RETRY_MAX_SECONDS``, and given up after
``GIVE_UP_SECONDS``. Error texts are scrubbed of every registered secret before they are logged
or stored. Everything here blocks (HTTP): the engine calls it in a worker thread.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from shelver.errors import DeliveryDeferred
from shelver.logs import scrub
from shelver.model import Change, Delivery

if TYPE_CHECKING:
    from shelver.context import RunContext
    from shelver.store import StateDB

log = logging.getLogger("shelver")

RETRY_FIRST_SECONDS = 60.0
RETRY_MAX_SECONDS = 3600.0
RETRY_TICK_SECONDS = 10.0
GIVE_UP_SECONDS = 7 * 24 * 3600.0


def _answers(ctx: RunContext, hook: str, **kwargs: Any) -> list[Delivery]:
    """Every plugin's deliveries for ``hook``, each implementation on its own: one that raises
    is a warning, the others still answer."""
    plugins = [p for _name, p in ctx.pm.list_name_plugin() if p is not None]
    deliveries: list[Delivery] = []
    for impl in reversed(getattr(ctx.pm.hook, hook).get_hookimpls()):
        others = [p for p in plugins if p is not impl.plugin]
        caller = ctx.pm.subset_hook_caller(hook, remove_plugins=others)
        try:
            for answer in caller(ctx=ctx, **kwargs):
                deliveries.extend(answer or [])
        except Exception as exc:
            log.warning("%s of plugin %r failed: %s", hook, impl.plugin_name,
                        scrub(f"{type(exc).__name__}: {exc}"))
    return deliveries


def announce(ctx: RunContext, changes: Iterable[Change], summary: dict[str, Any] | None = None,
             *, keep_failed: bool = True) -> list[tuple[Delivery, str | None, str | None]]:
    """Tell every configured service about ``changes`` (and ``summary``); returns each
    delivery with its answer or its error. Never raises for a service's failure; a failed
    delivery is kept for :func:`retry_due` unless ``keep_failed`` is False (a test message)."""
    deliveries: list[Delivery] = []
    changes = sorted(set(changes), key=lambda c: (c.path, c.kind))
    if changes:
        deliveries += _answers(ctx, "shelver_library_changed", changes=changes)
    if summary is not None:
        deliveries += _answers(ctx, "shelver_run_summary", summary=summary)
    return deliver_all(ctx, deliveries, keep_failed=keep_failed)


def send(ctx: RunContext, delivery: Delivery) -> str:
    """Send one delivery now; the plugin's answer (one line), or the exception it raised."""
    answer = ctx.pm.hook.shelver_deliver(delivery=delivery, ctx=ctx)
    if answer is None:
        raise LookupError(f"no enabled plugin delivers for {delivery.plugin!r}")
    return str(answer)


def deliver_all(ctx: RunContext, deliveries: list[Delivery], *, keep_failed: bool = True
                ) -> list[tuple[Delivery, str | None, str | None]]:
    """Send each delivery; a failed one is kept for :func:`retry_due` (``keep_failed``). Once a
    target failed, its other deliveries of this batch wait without being tried: a server that is
    down costs one timeout per batch, not one per folder."""
    outcomes: list[tuple[Delivery, str | None, str | None]] = []
    failed: dict[str, str] = {}
    for delivery in deliveries:
        if delivery.target in failed:
            error = failed[delivery.target]
            if keep_failed:
                _keep(ctx, delivery, error, attempts=1)
            outcomes.append((delivery, None, error))
            continue
        try:
            answer = send(ctx, delivery)
        except DeliveryDeferred as exc:
            if keep_failed:
                _keep(ctx, delivery, str(exc), attempts=0, delay=exc.retry_seconds, waiting=True)
            log.info("%s: %s: waits (%s)", delivery.target, delivery.label, exc)
            outcomes.append((delivery, None, f"waiting: {exc}"))
            continue
        except Exception as exc:
            error = scrub(f"{type(exc).__name__}: {exc}")
            failed[delivery.target] = error
            if keep_failed:
                _keep(ctx, delivery, error, attempts=1)
            log.warning("%s: %s failed: %s%s", delivery.target, delivery.label, error,
                        "; tried again later (shelver status)" if keep_failed else "")
            outcomes.append((delivery, None, error))
            continue
        log.info("%s: %s: %s", delivery.target, delivery.label, scrub(answer))
        outcomes.append((delivery, scrub(answer), None))
    return outcomes


def backoff(attempts: int) -> float:
    """Seconds to wait after ``attempts`` failed attempts."""
    return float(min(RETRY_FIRST_SECONDS * 2 ** max(attempts - 1, 0), RETRY_MAX_SECONDS))


def _keep(ctx: RunContext, delivery: Delivery, error: str, *, attempts: int,
          delay: float | None = None, waiting: bool = False) -> None:
    now = time.time()
    with ctx.state.transaction() as conn:
        conn.execute(
            "INSERT INTO deliveries (profile, plugin, target, label, payload, attempts, first_at,"
            " next_at, last_error, waiting) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (ctx.profile.name, delivery.plugin, delivery.target, delivery.label,
             json.dumps(delivery.payload), attempts, now,
             now + (delay if delay is not None else backoff(attempts)), error, int(waiting)))


def retry_due(ctx: RunContext, now: float | None = None) -> int:
    """Try the profile's waiting deliveries whose time has come, oldest first; returns how many
    went through. A target that fails again holds back its other deliveries of this round."""
    now = time.time() if now is None else now
    rows = [dict(r) for r in ctx.state.conn().execute(
        "SELECT * FROM deliveries WHERE profile=? AND next_at<=? ORDER BY id",
        (ctx.profile.name, now))]
    sent = 0
    failed: set[str] = set()
    for row in rows:
        delivery = Delivery(plugin=row["plugin"], target=row["target"], label=row["label"],
                            payload=json.loads(row["payload"]))
        if now - row["first_at"] > GIVE_UP_SECONDS:
            log.warning("%s: %s: given up after %d attempt(s) in %d days (last error: %s)",
                        row["target"], row["label"], row["attempts"], GIVE_UP_SECONDS // 86400,
                        row["last_error"])
            _forget(ctx, row["id"])
            continue
        if row["target"] in failed:
            _postpone(ctx, row, row["last_error"], row["attempts"] + 1, now)
            continue
        try:
            answer = send(ctx, delivery)
        except DeliveryDeferred as exc:
            _postpone(ctx, row, str(exc), row["attempts"], now, delay=exc.retry_seconds, waiting=True)
            continue
        except LookupError as exc:
            log.warning("%s: %s: dropped: %s (is its section still in the profile?)",
                        row["target"], row["label"], exc)
            _forget(ctx, row["id"])
            continue
        except Exception as exc:
            error = scrub(f"{type(exc).__name__}: {exc}")
            failed.add(row["target"])
            _postpone(ctx, row, error, row["attempts"] + 1, now)
            log.warning("%s: %s failed again (attempt %d): %s", row["target"], row["label"],
                        row["attempts"] + 1, error)
            continue
        log.info("%s: %s: %s (after %d failed attempt(s))", row["target"], row["label"],
                 scrub(answer), row["attempts"])
        _forget(ctx, row["id"])
        sent += 1
    return sent


def _postpone(ctx: RunContext, row: dict[str, Any], error: str, attempts: int, now: float, *,
              delay: float | None = None, waiting: bool = False) -> None:
    with ctx.state.transaction() as conn:
        conn.execute("UPDATE deliveries SET attempts=?, next_at=?, last_error=?, waiting=? "
                     "WHERE id=?", (attempts, now + (delay if delay is not None else backoff(attempts)),
                                    error, int(waiting), row["id"]))


def _forget(ctx: RunContext, delivery_id: int) -> None:
    with ctx.state.transaction() as conn:
        conn.execute("DELETE FROM deliveries WHERE id=?", (delivery_id,))


def waiting_deliveries(state: StateDB, profile: str, plugin: str) -> list[dict[str, Any]]:
    """The deliveries of ``plugin`` that wait to be tried again (payload left out)."""
    return [dict(r) for r in state.conn().execute(
        "SELECT id, target, label, attempts, first_at, next_at, last_error, waiting "
        "FROM deliveries WHERE profile=? AND plugin=? ORDER BY id", (profile, plugin))]


def delivery_status(state: StateDB, profile: str, plugin: str, title: str) -> dict[str, Any]:
    """A ``shelver_status`` section for ``plugin``'s deliveries: ``title`` (e.g. the server's
    name) and how many wait, with the newest error and when the next try is."""
    rows = waiting_deliveries(state, profile, plugin)
    head = f"{title + ':':<8} "
    if not rows:
        return {"lines": [f"{head}nothing waiting"], "waiting": []}
    now = time.time()
    failing = [r for r in rows if not r["waiting"]]
    newest = max(rows, key=lambda r: (r["attempts"], r["id"]))
    due = min(r["next_at"] for r in rows)
    wait = max(0, int(due - now))
    lines = [f"{head}{len(rows)} waiting deliver{'y' if len(rows) == 1 else 'ies'}"
             + (f", {len(failing)} failed (attempt {newest['attempts']})" if failing else "")
             + f"; next try in {wait} s (or at the next run)"]
    lines.append(f"{'':9}last error: {newest['last_error']}")
    return {"lines": lines, "waiting": rows}


def removed_changes(paths: Iterable[str], inside: str | None) -> list[Change]:
    """``deleted`` changes for files that were removed from the library (an undo): a folder
    that is gone as a whole is named once, not each of its files; a file whose folder is still
    there is named itself. ``inside``: the library root (``dest_dir``), never reported gone."""
    root = os.path.abspath(inside) if inside else None
    gone: set[str] = set()
    for path in paths:
        current = os.path.abspath(path)
        parent = os.path.dirname(current)
        while not os.path.exists(parent) and parent != root and os.path.dirname(parent) != parent \
                and (root is None or parent.startswith(root + os.sep)):
            current, parent = parent, os.path.dirname(parent)
        gone.add(current)
    kept = sorted(g for g in gone if not any(g.startswith(o + os.sep) for o in gone))
    return [Change(path, "deleted") for path in kept]


def map_path(path: str, path_map: dict[str, str]) -> str:
    """``path`` as a server sees it: the longest prefix of ``path_map`` (whole path components)
    that ``path`` starts with is replaced by its value (docs/media-servers.md, "Path mapping").
    A value with backslashes and no slash (a Windows server) gets backslashes."""
    best: tuple[str, str] | None = None
    for prefix, target in path_map.items():
        bare = prefix.rstrip("/")
        if (path == bare or path.startswith(bare + "/")) and (best is None or len(bare) > len(best[0])):
            best = (bare, target)
    if best is None:
        return path
    bare, target = best
    rest = path[len(bare):].lstrip("/")
    separator = "\\" if "\\" in target and "/" not in target else "/"
    target = target.rstrip(separator)
    if not rest:
        return target or separator
    return target + separator + rest.replace("/", separator)


def check_service_section(profile: Any, section: str, secret: str | None) -> list[str]:
    """Check a service's profile section the same way for every plugin (its ``url``, ``timeout``
    and ``path_map``), touching nothing: a wrong value raises :class:`~shelver.errors.ConfigError`
    naming the setting and the file. Returns warnings: an empty ``secret`` setting (the service
    will refuse shelver). Nothing to check when ``url`` is not set (the service is off)."""
    from shelver.errors import ConfigError

    values = profile.section(section)
    url = str(values.get("url") or "")
    if not url:
        return []
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"{section}.url must start with http:// or https://, not {url!r} "
                          f"({profile.where(f'{section}.url')})")
    if "timeout" in values and not values["timeout"] > 0:
        raise ConfigError(f"{section}.timeout must be more than 0 "
                          f"({profile.where(f'{section}.timeout')})")
    for prefix, target in (values.get("path_map") or {}).items():
        if not isinstance(target, str) or not prefix.startswith("/"):
            raise ConfigError(f"{section}.path_map: each key must be an absolute path and each "
                              f"value a string, not {prefix!r} = {target!r} "
                              f"({profile.where(f'{section}.path_map')})")
    if secret is not None and not values.get(secret):
        return [f"{section}.{secret} is not set: the server will refuse shelver "
                f"({profile.where(f'{section}.{secret}')})"]
    return []
