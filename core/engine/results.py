"""The ``--json`` record of one input file (docs/operations.md, "Output")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shelver.model import Identity, Item, Status

Result = dict[str, Any]
ResultCallback = Callable[[Result], None]
# A run (or an assessed tree) whose identifications will take longer than this says so
# (docs/operations.md, "Huge trees").
LONG_RUN_SECONDS = 3600.0


def long_run_warning(videos: int, seconds: float, rate: str) -> str:
    """``102,400 videos: about 16 h at 35 requests/10 s; consider metadata-only first``."""
    return (f"{videos:,} videos: about {round(seconds / 3600):,} h at {rate}; "
            "consider metadata-only first")


def long_run_line(pm: Any, profile: Any, videos: int) -> str | None:
    """The warning for ``videos`` files not identified yet when the providers' estimate
    (``shelver_estimate_lookups``; the slowest provider counts) is LONG_RUN_SECONDS or more."""
    if videos <= 0:
        return None
    estimates = [e for e in pm.hook.shelver_estimate_lookups(profile=profile, videos=videos) if e]
    if not estimates:
        return None
    slowest = max(estimates, key=lambda e: float(e["seconds"]))
    if float(slowest["seconds"]) < LONG_RUN_SECONDS:
        return None
    return long_run_warning(videos, float(slowest["seconds"]), str(slowest["rate"]))


def legacy_identity(identity: Identity) -> dict[str, Any]:
    """The identity as the ``--json`` record has always given it under the provider's name
    (``"tmdb": {"type": "tv", "id": 1396, "season": 5, "episodes": [14]}``, docs/operations.md, "--json")."""
    data: dict[str, Any] = {"type": identity.kind,
                            "id": int(identity.id) if identity.id.isdigit() else identity.id}
    if identity.kind != "movie":
        data.update(season=identity.season, episodes=list(identity.episodes))
    return data


def result_of(item: Item, mode: str) -> Result:
    """The ``--json`` object of one input file (DESIGN: CLI)."""
    identity = item.identity
    destination = None
    if item.placement is not None:
        destination = str(item.placement.path)
    elif item.plan is not None and item.status in (Status.ORGANISED, Status.EXTRA):
        destination = str(item.plan.destination)
    elif item.status == Status.DUPLICATE:
        destination = str(item.path)  # left where it is
    return {
        "source": str(item.source),
        "status": (item.status or Status.ERROR).value,
        "destination": destination,
        "mode": mode,
        "identity": identity.as_json() if identity else None,
        **({identity.provider: legacy_identity(identity)} if identity else {}),
        "confidence": round(item.confidence, 3) if item.confidence is not None else None,
        "error": item.error,
    }


def skipped_result(path: str, reason: str, mode: str) -> Result:
    return {"source": path, "status": Status.SKIPPED.value, "destination": None, "mode": mode,
            "identity": None, "confidence": None, "error": None, "reason": reason}

