"""What the ``notify`` plugin sends: the webhook's JSON and the Apprise message's text, and the
two ways of sending them (docs/media-servers.md, "Notifications")."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

SHOWN_ITEMS = 10  # review and error lines in a message
# Records in one webhook POST: a backlog run of 100,000 files is not one 30 MB request; the
# counts always cover every file, and `items_left_out` says how many records were left out.
WEBHOOK_ITEMS = 1000


def shown(url: str) -> str:
    """A URL as logs and ``shelver status`` show it: its scheme and host, no path, query or
    credentials (an Apprise URL carries its service's token in them)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    return f"{parts.scheme}://{host}" if parts.scheme in ("http", "https", "json") else f"{parts.scheme}://…"


def webhook_body(summary: dict[str, Any]) -> dict[str, Any]:
    """The webhook's JSON: the summary (each file's ``--json`` record under ``items``, the
    first WEBHOOK_ITEMS of them; those left for review and the errors come first)."""
    items = list(summary.get("items") or [])
    if len(items) > WEBHOOK_ITEMS:
        first = [r for r in items if r.get("status") in ("review", "error")]
        rest = [r for r in items if r.get("status") not in ("review", "error")]
        kept = (first + rest)[:WEBHOOK_ITEMS]
        return {"event": "run-summary", **summary, "items": kept,
                "items_left_out": len(items) - len(kept)}
    return {"event": "run-summary", **summary, "items_left_out": 0}


def level(summary: dict[str, Any]) -> str:
    counts = summary.get("counts") or {}
    if counts.get("error"):
        return "failure"
    return "warning" if counts.get("review") else "success"


def text(summary: dict[str, Any]) -> tuple[str, str]:
    """A person's message: a title with the counts, then each file left for review (called out:
    it waits for them) and each error."""
    counts = summary.get("counts") or {}
    tally = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing"
    title = f"shelver {summary.get('profile')}: {tally}"
    lines = [f"{summary.get('command')} ({summary.get('mode')}): {tally}"]
    review = summary.get("review") or []
    if review:
        lines.append(f"{len(review)} file(s) need you (shelver review):")
        lines += [f"  review: {r['source']}" for r in review[:SHOWN_ITEMS]]
    errors = [r for r in summary.get("items") or [] if r.get("status") == "error"]
    lines += [f"  error: {r.get('error') or r['source']}" for r in errors[:SHOWN_ITEMS]]
    more = max(0, len(review) - SHOWN_ITEMS) + max(0, len(errors) - SHOWN_ITEMS)
    if more:
        lines.append(f"  ... and {more} more (shelver status)")
    return title, "\n".join(lines)


def post_webhook(url: str, section: dict[str, Any], body: dict[str, Any]) -> str:
    import httpx  # not at the top: a command that sends nothing does not import it

    headers = {"User-Agent": "shelver", **{str(k): str(v) for k, v in section["headers"].items()}}
    response = httpx.post(url, json=body, headers=headers, timeout=float(section["timeout"]))
    response.raise_for_status()
    return f"{response.status_code} {response.reason_phrase}"


def send_apprise(url: str, title: str, body: str, kind: str, timeout: float) -> str:
    try:
        import apprise
    except ImportError:
        raise RuntimeError("notify.urls needs Apprise: pip install 'shelver[notify]'") from None
    # Apprise logs its own failures with the service's address: shelver reports them itself.
    logging.getLogger("apprise").setLevel(logging.CRITICAL + 1)
    sender = apprise.Apprise(asset=apprise.AppriseAsset(async_mode=False))
    if not sender.add(url):
        raise ValueError(f"{shown(url)} is not an Apprise URL this Apprise knows (notify.urls)")
    for service in sender:  # Apprise's default socket timeouts are its own; use shelver's
        if hasattr(service, "socket_read_timeout"):
            service.socket_connect_timeout = service.socket_read_timeout = timeout
    notify_type = {"failure": apprise.NotifyType.FAILURE, "warning": apprise.NotifyType.WARNING,
                   "success": apprise.NotifyType.SUCCESS}.get(kind, apprise.NotifyType.INFO)
    if not sender.notify(body=body, title=title, notify_type=notify_type):
        raise RuntimeError(f"Apprise could not deliver to {shown(url)}")
    return f"sent to {shown(url)}"
