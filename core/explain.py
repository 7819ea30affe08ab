"""``shelver explain FILE``: how shelver would identify one file, and why, moving and recording
nothing (docs/operations.md, "Explain").

The same phases as a run, up to the decision: the run-start checks (which touch nothing),
parse, probe, match (with ``ctx.trace`` set, so the provider records its requests and every
candidate it scored) and, for an identified file, the plan. No run is recorded, no item, queue
row, journal row or event is written, and no file is created, moved or changed; only what a
provider keeps for itself in the state DB (e.g. its response cache) may grow, as in any run.
The provider is asked through the ordinary hooks, so any provider that fills the trace is
explained the same way.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from shelver.context import RunContext
from shelver.engine.calls import call_all, call_first
from shelver.model import DownloaderHints, Identity, Item, Trace
from shelver.profiles import Profile, check_profile
from shelver.store import StateDB

# What the probe says that bears on identification, in the order shown.
PROBED = ("duration", "resolution", "width", "height", "video_codec", "container")


@contextlib.asynccontextmanager
async def checked_context(profile: Profile, pm: Any, state: StateDB, *, mode: str | None = None,
                          trace: Trace | None = None) -> AsyncIterator[RunContext]:
    """A run context that is no run: the run-start checks passed (credentials, services:
    nothing touched), no ``runs`` row, ``dry_run`` set; ``shelver_run_end`` closes what the
    checks opened. Raises ConfigError as a run would."""
    ctx = RunContext(profile=profile, state=state, pm=pm, run_id=0,
                     mode=check_profile(profile, pm, mode), dry_run=True, trace=trace)
    try:
        await call_all(ctx, "shelver_run_check", "db", ctx=ctx)
        yield ctx
    finally:
        await call_all(ctx, "shelver_run_end", "db", ctx=ctx)


def _item(profile: Profile, state: StateDB, path: Path) -> Item:
    """The file as the pipeline would take it, with what the state DB says of it (a person's
    choice, a downloader's hints) read, never written."""
    st = os.stat(path)
    root = next((Path(s) for s in profile.sources if path.is_relative_to(Path(s).absolute())),
                None)
    item = Item(path=path, source=path, size=st.st_size, mtime=st.st_mtime, inode=st.st_ino,
                root=root)
    row = state.item_by_path(path)
    if row is not None:
        item.item_id = row["id"]
        with contextlib.suppress(ValueError, KeyError, TypeError, AttributeError):
            if row.get("forced_identity"):
                item.forced = Identity.from_json(json.loads(row["forced_identity"]))
        with contextlib.suppress(ValueError, KeyError, TypeError, AttributeError):
            if row.get("given_ids"):
                item.hints = DownloaderHints.from_json(json.loads(row["given_ids"]))
    return item


async def explain(profile: Profile, pm: Any, state: StateDB, path: Path) -> dict[str, Any]:
    """What shelver reads, probes, asks and decides for the file at ``path``: the report
    ``shelver explain --json`` prints (docs/operations.md, "Explain")."""
    path = Path(os.path.abspath(path))
    trace = Trace()
    item = _item(profile, state, path)
    report: dict[str, Any] = {"file": str(path), "profile": profile.name}
    async with checked_context(profile, pm, state, trace=trace) as ctx:
        report["mode"] = ctx.mode
        parsed = await call_first(ctx, "shelver_parse_name", "probe", item=item, ctx=ctx)
        if parsed is not None:
            item.parsed = parsed
        report["parsed"] = dataclasses.asdict(item.parsed)
        report["probe"] = {}
        if item.parsed.extra:
            return _decided(report, trace, item, "extra", None)
        for probe in await call_all(ctx, "shelver_probe", "probe", item=item, ctx=ctx):
            for key, value in (probe or {}).items():
                item.probe.setdefault(key, value)
        report["probe"] = {k: item.probe[k] for k in PROBED if item.probe.get(k) is not None}
        if item.forced is not None:
            trace.notes.append(f"identity chosen by a person (shelver review): "
                               f"{item.forced.key()}")
        if item.hints is not None:
            trace.notes.append(f"what {item.hints.client or 'the downloader'} said about it "
                               f"counts over the name")
        item.match = await call_first(ctx, "shelver_match", "probe", item=item, ctx=ctx)
        if item.identity is None:
            return _decided(report, trace, item, "review", None)
        if ctx.mode == "metadata-only":
            return _decided(report, trace, item, "describe", None)
        plan = await call_first(ctx, "shelver_plan_destination", "probe", item=item, ctx=ctx)
        return _decided(report, trace, item, "organise", plan.destination if plan else None)


def _decided(report: dict[str, Any], trace: Trace, item: Item, decision: str,
             destination: Path | None) -> dict[str, Any]:
    match = item.match
    candidates = trace.candidates if trace.candidates is not None else (
        match.candidates if match else [])
    metadata = match.metadata if match else None
    report.update(
        queries=trace.queries, candidates=candidates,
        threshold=match.threshold if match else None,
        confidence=match.confidence if match else None,
        identity=item.identity.as_json() if item.identity else None,
        title=(metadata.title if metadata else None), year=(metadata.year if metadata else None),
        decision=decision, destination=str(destination) if destination else None,
        reason=None, notes=trace.notes)
    if decision == "review":
        report["reason"] = trace.reason or "no plugin identified it"
    elif decision == "extra":
        report["reason"] = f"a {item.parsed.extra}: not identified"
    return report


# -- as a person reads it ------------------------------------------------------------------------


def _read_as(parsed: dict[str, Any]) -> str:
    words = [str(parsed.get("kind") or "kind unknown")]
    if parsed.get("title"):
        words.append(repr(parsed["title"]))
    for key in ("year", "country", "edition", "screen_size", "release_group"):
        if parsed.get(key):
            words.append(f"{key.replace('_', ' ')} {parsed[key]}")
    if parsed.get("season") is not None or parsed.get("episodes"):
        words.append(f"season {parsed.get('season')} episode(s) "
                     f"{', '.join(map(str, parsed.get('episodes') or [])) or '?'}")
    if parsed.get("air_date"):
        words.append(f"aired {parsed['air_date']}")
    if parsed.get("alternative_titles"):
        words.append("also " + ", ".join(repr(t) for t in parsed["alternative_titles"]))
    if parsed.get("ids"):
        words.append("ids " + ", ".join(f"{k} {v}" for k, v in parsed["ids"].items()))
    if parsed.get("extra"):
        words.append(f"extra ({parsed['extra']})")
    return ", ".join(words)


def _probed(probe: dict[str, Any]) -> str:
    if not probe:
        return "nothing (no probe answered)"
    words = []
    if probe.get("duration"):
        words.append(f"duration {float(probe['duration']) / 60:.1f} min")
    if probe.get("width") and probe.get("height"):
        words.append(f"{probe['width']}x{probe['height']}")
    for key in ("resolution", "video_codec", "container"):
        if probe.get(key):
            words.append(str(probe[key]))
    return ", ".join(words)


def _points(breakdown: dict[str, float]) -> str:
    return " ".join(f"{'+' if value >= 0 else '-'} {name} {abs(value):.4f}"
                    for name, value in breakdown.items()).lstrip("+ ")


def candidate_key(candidate: dict[str, Any]) -> str:
    kind = candidate.get("kind") or candidate.get("type")
    return f"{candidate.get('provider') or '?'}:{kind}/{candidate.get('id')}"


def human_lines(report: dict[str, Any]) -> list[str]:
    """``shelver explain`` without ``--json``: one block per part of the report."""
    from shelver.discovery import printable

    lines = [f"file:       {printable(report['file'])}",
             f"read:       {_read_as(report.get('parsed') or {})}",
             f"probed:     {_probed(report.get('probe') or {})}"]
    queries = report.get("queries") or []
    cached = sum(1 for q in queries if q.get("cached"))
    lines.append(f"queries:    {len(queries)} ({cached} from the cache)")
    for query in queries:
        where = "cache" if query.get("cached") else "sent"
        status = f" -> {query['status']}" if query.get("status") is not None else ""
        lines.append(f"  {where:<6} {query.get('provider')} {query.get('request')}{status}")
    candidates = report.get("candidates") or []
    threshold = report.get("threshold")
    lines.append(f"candidates: {len(candidates)}"
                 + (f"; threshold {threshold:g}" if threshold is not None else ""))
    for number, candidate in enumerate(candidates, 1):
        lines.append(f"  {number}. {candidate_key(candidate)}  {candidate.get('title')} "
                     f"({candidate.get('year') or '?'})  score {candidate.get('score')}")
        if candidate.get("breakdown"):
            lines.append(f"       = {_points(candidate['breakdown'])}")
    if report.get("confidence") is not None:
        lines.append(f"confidence: {report['confidence']:g}")
    for note in report.get("notes") or []:
        lines.append(f"note:       {note}")
    lines.append("decision:   " + _decision(report))
    if report.get("destination"):
        lines.append(f"            -> {printable(report['destination'])}")
    return lines


def _decision(report: dict[str, Any]) -> str:
    decision = report["decision"]
    if decision in ("organise", "describe"):
        identity = report.get("identity") or {}
        key = Identity.from_json(identity).key() if identity else "?"
        title = f" {report.get('title')} ({report.get('year') or '?'})" if report.get("title") else ""
        verb = "organise as" if decision == "organise" else "describe in place as"
        return f"{verb} {key}{title}"
    if decision == "extra":
        return f"extra: {report.get('reason')}"
    return f"review because {report.get('reason')}"


def explain_file(profile: Profile, pm: Any, state: StateDB, path: Path) -> dict[str, Any]:
    """:func:`explain` from synchronous code (the command line)."""
    import trio

    result: dict[str, Any] = trio.run(explain, profile, pm, state, path)
    return result


__all__ = ["checked_context", "explain", "explain_file", "human_lines"]
