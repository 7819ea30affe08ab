"""End to end: one run summary per run to a webhook (each file's ``--json`` record, the counts)
and to an Apprise ``json://`` URL, both loopback receivers; ``shelver notify test`` prints each
target's answer (docs/media-servers.md, "Notifications")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from shelver.api import LoopbackRequest, LoopbackServer
from shelver.plugins.jellyfin.fake import FakeJellyfin

from tests.conftest import json_lines, shelver

JSON_FIELDS = {"source", "status", "destination", "mode", "identity", "confidence", "error"}


class Receiver(LoopbackServer):
    """Answers 200 to every POST, as a chat service's webhook does."""

    def answer(self, request: LoopbackRequest) -> tuple[int, dict[str, str], bytes]:
        if request.method != "POST":
            return 405, {}, b""
        return 200, {"Content-Type": "text/plain"}, b"ok"


@pytest.mark.slow
def test_one_summary_per_run_reaches_the_webhook_and_apprise(tmp_path: Path, make_profile: Any,
                                                             video: Any) -> None:
    downloads = tmp_path / "downloads"
    video(downloads / "The.Matrix.1999.1080p.BluRay.x264.mkv", 1.0, seed=1)
    video(downloads / "Qwxzvy.Blorptangle.2011.1080p.mkv", 1.0, seed=2)  # nobody knows it
    with Receiver() as webhook, Receiver() as chat:
        profile = make_profile(
            plugins={"disable": ["phash", "artwork", "mp4tags", "nfo"]},
            webhook={"url": f"{webhook.base_url}/hooks/shelver",
                     "headers": {"Authorization": "Bearer hook-secret"}},
            notify={"urls": [f"json://127.0.0.1:{chat.port}/notify"]})
        dry = shelver("run", "-p", str(profile), "--dry-run", "--json")
        assert dry.returncode == 0, dry.stderr
        assert webhook.requests == [] and chat.requests == []  # a dry run tells nobody

        run = shelver("run", "-p", str(profile), "--json")
        assert run.returncode == 0, run.stderr
        records = json_lines(run.stdout)
        assert sorted(r["status"] for r in records) == ["organised", "review"]
        (post,) = webhook.requests
        assert post.method == "POST" and post.path == "/hooks/shelver"
        assert post.header("Authorization") == "Bearer hook-secret"
        assert post.header("Content-Type") == "application/json"
        body = post.json()
        assert body["event"] == "run-summary" and body["profile"] == "test"
        assert body["command"] == "run" and body["status"] == "done"
        assert body["counts"] == {"organised": 1, "review": 1}
        key = lambda r: r["source"]  # noqa: E731
        assert sorted(body["items"], key=key) == sorted(records, key=key)
        assert all(set(r) >= JSON_FIELDS for r in body["items"])
        (review,) = body["review"]
        assert review["source"].endswith("Qwxzvy.Blorptangle.2011.1080p.mkv")

        (message,) = chat.requests
        assert message.method == "POST" and message.path == "/notify"
        sent = message.json()
        assert sent["title"] == "shelver test: 1 organised, 1 review"
        assert f"review: {review['source']}" in sent["message"]
        assert sent["type"] == "warning"  # a file waits for a person
        assert "hook-secret" not in run.stderr + run.stdout

        # `shelver notify test`: every target's answer, nothing kept when one fails.
        webhook.take(), chat.take()
        test = shelver("notify", "test", "-p", str(profile))
        assert test.returncode == 0, test.stderr
        assert test.stdout.splitlines() == [
            "webhook: run summary to http://127.0.0.1: 200 OK",
            "apprise #1: run summary to json://127.0.0.1: sent to json://127.0.0.1"]
        assert webhook.requests[0].json()["test"] is True and len(chat.requests) == 1
        chat.go_down()
        failed = shelver("notify", "test", "-p", str(profile))
        assert failed.returncode == 1
        assert "apprise #1: run summary to json://127.0.0.1: FAILED: RuntimeError: Apprise " \
               "could not deliver to json://127.0.0.1" in failed.stdout
        assert "Traceback" not in failed.stderr


def test_notify_test_asks_each_media_server_and_names_a_refused_key(
        tmp_path: Path, make_profile: Any) -> None:
    library = tmp_path / "library"
    library.mkdir()
    with FakeJellyfin(api_key="right-key") as jellyfin:
        profile = make_profile(jellyfin={"url": jellyfin.base_url, "api_key": "right-key"})
        test = shelver("notify", "test", "-p", str(profile))
        assert test.returncode == 0, test.stderr
        assert test.stdout == (f"jellyfin: 1 folder(s) updated ({library}): 204: Jellyfin told "
                               f"of 1 folder(s)\n")
        (update,) = jellyfin.updates()
        assert update.json() == {"Updates": [{"Path": str(library), "UpdateType": "Modified"}]}
        profile = make_profile(jellyfin={"url": jellyfin.base_url, "api_key": "wrong-key"})
        refused = shelver("notify", "test", "-p", str(profile))
        assert refused.returncode == 1
        assert "FAILED: PermissionError: 401 Unauthorized: Jellyfin refused jellyfin.api_key" \
            in refused.stdout
        assert "wrong-key" not in refused.stdout + refused.stderr
    nothing = shelver("notify", "test", "-p", str(make_profile()))
    assert nothing.returncode == 0 and "has no media server or notification configured" in nothing.stdout
