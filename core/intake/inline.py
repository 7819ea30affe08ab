"""``shelver hook CLIENT ...`` when no daemon of the profile runs: process the download here.

The fast path (:mod:`shelver.intake.fastpath`) has already parsed what the client passed
(:mod:`shelver.intake.clients`) and written the job to the state DB. This module loads the engine
and the plugins, processes exactly the files of this download, and reports in the client's
protocol (see :class:`shelver.intake.fastpath.Reporter`): one line per file, then a summary line (the
line SABnzbd shows in its History), with the exit status the client expects.

``hook.wait_seconds`` (default 0: no limit) bounds how long a *blocking* client (SABnzbd,
NZBGet, Radarr, Sonarr: they wait for the hook before going on) is kept waiting; what is not
done by then stays queued, durably, for ``shelver watch`` or the next ``shelver run``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shelver.intake.clients import Client, printable

if TYPE_CHECKING:
    from shelver.intake.fastpath import HookProfile, Reporter


def _line(result: dict[str, Any]) -> str:
    status = result["status"]
    source = printable(result["source"])
    if result.get("destination") and status in ("organised", "extra"):
        return f"{status}: {source} -> {printable(result['destination'])}"
    if status == "review":
        return f"review: {source} (no confident match: see `shelver review`)"
    if status == "error":  # the reporter says "error" (or [ERROR]) already
        message: str = printable(str(result.get("error") or source))
        return message
    detail = result.get("reason") or result.get("destination") or ""
    return f"{status}: {source}" + (f" ({printable(detail)})" if detail else "")


def process_inline(client: Client, target: HookProfile, files: list[str], roots: dict[str, str],
                   report: Reporter, *, verbosity: int = 0, refused: int = 0) -> int:
    """Process ``files`` (already queued by the fast path) with ``target``'s profile; returns the
    exit status ``client`` expects."""
    import trio
    from shelver import logs
    from shelver.app import open_app
    from shelver.errors import EXIT_INTERRUPTED, ConfigError, user_facing

    logs.setup(verbosity, one_line_records=True)  # docs/downloaders.md: NZBGet reads stderr
    try:
        app = open_app(str(target.path) if target.path else None)
    except ConfigError as exc:
        report.summary(f"shelver: {exc}", failed=True)
        return int(client.codes.usage)
    profile, state = app.profile, app.state  # an unusable plugin: logged once as it loaded
    results: list[dict[str, Any]] = []

    def on_result(result: dict[str, Any]) -> None:
        results.append(result)
        (report.error if result["status"] == "error" else report.info)(_line(result))

    budget = float(profile.get("hook.wait_seconds", 0.0) or 0.0) if client.blocking else 0.0
    try:
        engine = app.engine(command=f"hook {client.name}", on_result=on_result)
        # The download's folder is the name to parse, as when `shelver run FOLDER` is given.
        engine.roots.update({path: Path(root) for path, root in roots.items()})

        async def work() -> bool:
            with trio.move_on_after(budget if budget > 0 else math.inf) as scope:
                await engine.run([Path(path) for path in files])
            return scope.cancelled_caught

        timed_out = trio.run(work)
    except (KeyboardInterrupt, BaseExceptionGroup) as exc:
        if not isinstance(user_facing(exc), KeyboardInterrupt):
            raise
        # Ctrl-C on a hook run by hand: what was not done stays queued (docs/downloaders.md).
        report.summary(f"shelver {profile.name}: interrupted: {len(results)} done, "
                       f"{len(files) - len(results)} left queued", failed=True)
        return EXIT_INTERRUPTED
    except ConfigError as exc:
        report.summary(f"shelver: {exc}", failed=True)
        return int(client.codes.usage)
    finally:
        state.close()
    counts: dict[str, int] = {}
    for result in results:
        counts[result["status"]] = counts.get(result["status"], 0) + 1
    parts = [f"{n} {status}" for status, n in sorted(counts.items())]
    if refused:
        parts.append(f"{refused} refused")
    left = len(files) - len(results)
    if timed_out and left > 0:
        parts.append(f"{left} still queued after hook.wait_seconds ({budget:g} s)")
    failed = bool(refused) or counts.get("error", 0) > 0
    report.summary(f"shelver {profile.name}: " + (", ".join(parts) or "nothing done"), failed=failed)
    return int(client.codes.failure if failed else client.codes.success)
