"""What the ``notify`` plugin sends (plugins/notify/messages.py): the webhook's JSON for a big
run, a person's message, and URLs shown without their tokens."""

from __future__ import annotations

from typing import Any

from shelver.plugins.notify import messages


def record(n: int, status: str) -> dict[str, Any]:
    return {"source": f"/dl/{n}.mkv", "status": status, "destination": None, "mode": "inplace",
            "identity": None, "confidence": None, "error": f"/dl/{n}.mkv: boom" if status == "error" else None}


def summary(items: list[dict[str, Any]]) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for item in items:
        counts[item["status"]] = counts.get(item["status"], 0) + 1
    return {"run": 3, "profile": "backlog", "command": "run", "mode": "inplace", "status": "done",
            "counts": counts, "items": items,
            "review": [r for r in items if r["status"] == "review"]}


def test_a_big_runs_webhook_keeps_the_files_that_need_a_person_first() -> None:
    items = [record(n, "organised") for n in range(1490)]
    items += [record(2000 + n, "review") for n in range(8)] + [record(3000, "error"), record(3001, "error")]
    body = messages.webhook_body(summary(items))
    assert len(body["items"]) == messages.WEBHOOK_ITEMS and body["items_left_out"] == 500
    assert [r["status"] for r in body["items"][:10]] == ["review"] * 8 + ["error"] * 2
    assert body["counts"] == {"organised": 1490, "review": 8, "error": 2}
    small = messages.webhook_body(summary(items[:5]))
    assert small["items"] == items[:5] and small["items_left_out"] == 0


def test_a_persons_message_calls_out_review_and_errors_ten_at_most() -> None:
    items = [record(n, "review") for n in range(13)] + [record(99, "error")] + [record(7, "organised")]
    title, body = messages.text(summary(items))
    assert title == "shelver backlog: 1 error, 1 organised, 13 review"
    lines = body.splitlines()
    assert lines[1] == "13 file(s) need you (shelver review):"
    assert [line for line in lines if line.startswith("  review: ")] == [
        f"  review: /dl/{n}.mkv" for n in range(10)]
    assert "  error: /dl/99.mkv: boom" in lines and lines[-1] == "  ... and 3 more (shelver status)"
    assert messages.level(summary(items)) == "failure"
    assert messages.level(summary([record(1, "organised")])) == "success"


def test_urls_are_shown_without_their_secrets() -> None:
    assert messages.shown("discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js") == "discord://…"
    assert messages.shown("tgram://123456:ABCdef/987") == "tgram://…"
    assert messages.shown("https://user:pw@hooks.example.org/x?token=t") == "https://hooks.example.org"
    assert messages.shown("json://127.0.0.1:8080/path") == "json://127.0.0.1"


def test_the_profile_check_names_a_wrong_webhook_and_a_missing_apprise(
        tmp_path: Any, pm: Any, monkeypatch: Any) -> None:
    import pytest
    from shelver.api import ConfigError
    from shelver.profiles import check_profile, validate

    def check(**settings: Any) -> None:
        check_profile(validate({"dest_dir": str(tmp_path), **settings}, pm=pm), pm)

    check(webhook={"url": "https://hooks.example.org/x"}, notify={"urls": ["json://127.0.0.1/"]})
    with pytest.raises(ConfigError, match=r"webhook.url must start with http:// or https://, "
                                          r"not 'ftp://…'"):
        check(webhook={"url": "ftp://user:secret@files.example.org/"})
    monkeypatch.setitem(__import__("sys").modules, "apprise", None)  # not installed
    with pytest.raises(ConfigError, match=r"notify.urls needs Apprise.*pip install "
                                          r"'shelver\[notify\]'"):
        check(notify={"urls": ["discord://id/token"]})
