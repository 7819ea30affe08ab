"""The web UI served for real (Hypercorn's trio worker on loopback): the live event stream and
its resumption, ``shelver web`` and ``shelver watch --web`` as a person starts them, the
token, and a run stopped from outside (Cancel/Drain) as on Ctrl-C (docs/web.md)."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio
from shelver import hookimpl
from shelver.plugins.web import server
from shelver.store.events import EventLog

from tests.conftest import BIN, stop_daemon
from tests.test_engine import KnownTitles, make_file, setup_engine


async def sse_events(client: httpx.AsyncClient, url: str, count: int,
                     headers: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The first ``count`` events of an SSE stream, parsed (id, event, data)."""
    got: list[dict[str, Any]] = []
    async with client.stream("GET", url, headers=headers or {}) as answer:
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/event-stream")
        event: dict[str, Any] = {}
        async for line in answer.aiter_lines():
            if line == "":
                if "data" in event:
                    got.append(event)
                    if len(got) == count:
                        return got
                event = {}
            elif line.startswith("id: "):
                event["id"] = int(line[4:])
            elif line.startswith("event: "):
                event["event"] = line[7:]
            elif line.startswith("data: "):
                event["data"] = json.loads(line[6:])
    return got


@pytest.fixture
async def served(make_profile: Callable[..., Path]) -> AsyncIterator[tuple[str, Any]]:
    web = server.open_web(str(make_profile()), "127.0.0.1")
    async with trio.open_nursery() as nursery:
        url = await nursery.start(lambda task_status: server.serve(
            web, "127.0.0.1", 0, task_status=task_status))
        yield url, web
        nursery.cancel_scope.cancel()
    web.default.close()


async def test_the_stream_delivers_every_event_in_order_and_resumes(served: tuple[str, Any]) -> None:
    url, web = served
    run_id = web.state.start_run("test", "run", "inplace")
    log = EventLog(web.state, run_id)
    for n in range(30):
        log.add("item-done", None, status="organised", source=f"/d/{n}.mkv", destination=None)
    log.flush()
    first_id = web.state.conn().execute("SELECT min(id) FROM events").fetchone()[0]
    async with httpx.AsyncClient(timeout=10) as client:
        with trio.fail_after(10):
            events = await sse_events(client, f"{url}events?after={first_id - 1}", 30)
        assert [e["data"]["payload"]["source"] for e in events] == [f"/d/{n}.mkv" for n in range(30)]
        assert [e["id"] for e in events] == list(range(first_id, first_id + 30))
        assert {e["event"] for e in events} == {"item-done"}
        # A browser that reconnects sends the last id it saw: it gets the rest, nothing twice.
        with trio.fail_after(10):
            rest = await sse_events(client, f"{url}events", 10,
                                    headers={"last-event-id": str(first_id + 19)})
        assert [e["id"] for e in rest] == list(range(first_id + 20, first_id + 30))

        # Without either, the stream starts at the newest event and follows what comes after.
        async def add_later() -> None:
            await trio.sleep(0.5)
            log.add("progress", done=31, total=40)
            log.flush()

        async with trio.open_nursery() as nursery:
            nursery.start_soon(add_later)
            with trio.fail_after(10):
                (later,) = await sse_events(client, f"{url}events", 1)
        assert later["event"] == "progress" and later["data"]["payload"] == {"done": 31, "total": 40}
        bad = await client.get(f"{url}events?after=abc")
        assert bad.status_code == 400
        # ?run= follows one run only.
        other = EventLog(web.state, web.state.start_run("test", "run", "inplace"))
        other.add("progress", done=1, total=1)
        other.flush()
        with trio.fail_after(10):
            (only,) = await sse_events(client, f"{url}events?after=0&run={other.run_id}", 1)
        assert only["data"]["run_id"] == other.run_id and only["event"] == "progress"


async def test_the_served_pages_have_the_csp_and_htmx_is_shipped(served: tuple[str, Any]) -> None:
    url, _web = served
    async with httpx.AsyncClient(timeout=10) as client:
        page = await client.get(url)
        assert page.status_code == 200
        assert "script-src 'self'" in page.headers["content-security-policy"]
        htmx = await client.get(f"{url}static/htmx.min.js")
        assert htmx.status_code == 200 and b"htmx" in htmx.content[:2000]
        assert (await client.get(f"{url}static/htmx.LICENSE")).status_code == 200
        assert (await client.get(f"{url}static/live.js")).status_code == 200
        assert (await client.get(f"{url}static/../plugin.py")).status_code == 404


def test_a_bind_beyond_loopback_needs_a_token(make_profile: Callable[..., Path]) -> None:
    profile = make_profile()
    refused = subprocess.run([str(BIN / "shelver"), "web", "-p", str(profile), "--host", "0.0.0.0"],
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2
    assert refused.stderr.startswith("shelver: error: serving on 0.0.0.0 (not loopback) needs a "
                                     "token: run `shelver web --print-token`"), refused.stderr
    assert "Traceback" not in refused.stderr
    printed = subprocess.run([str(BIN / "shelver"), "web", "--print-token"],
                             capture_output=True, text=True, timeout=60)
    assert printed.returncode == 0
    token = printed.stdout.strip()
    assert len(token) >= 32
    daemon = subprocess.Popen([str(BIN / "shelver"), "web", "-p", str(profile), "--host",
                               "0.0.0.0", "--port", "0"], stderr=subprocess.PIPE, text=True)
    try:
        line = daemon.stderr.readline() if daemon.stderr else ""
        assert "shelver: web UI on http://0.0.0.0:" in line, line
        assert token not in line  # never shown
        port = int(line.split("http://0.0.0.0:")[1].split("/")[0])
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/api/status").status_code == 401
        assert httpx.get(f"{base}/api/status", headers={"authorization": f"Bearer {token}"}
                         ).status_code == 200
        taken = subprocess.run([str(BIN / "shelver"), "web", "-p", str(profile), "--port",
                                str(port)], capture_output=True, text=True, timeout=60)
        assert taken.returncode == 2
        assert taken.stderr == (f"shelver: error: cannot listen on 127.0.0.1:{port}: Address "
                                f"already in use (--host/--port, or [web] in the profile); "
                                f"nothing was started\n")
    finally:
        stop_daemon(daemon)
    assert daemon.returncode == 0


def test_watch_web_serves_the_ui_beside_the_daemon(make_profile: Callable[..., Path],
                                                   tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    profile = make_profile(web={"port": port})
    daemon = subprocess.Popen([str(BIN / "shelver"), "watch", "--web", "-p", str(profile)],
                              stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        status: dict[str, Any] = {}
        while time.monotonic() < deadline:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/api/status").json()
            except httpx.HTTPError:
                time.sleep(0.2)
                continue
            if status["instances"]:
                break
            time.sleep(0.2)
        assert [i["profile"] for i in status["instances"]] == ["test"]
        assert status["instances"][0]["pid"] == daemon.pid  # one process: the daemon serves it
    finally:
        stop_daemon(daemon)
    assert daemon.returncode == 0
    err = daemon.stderr.read() if daemon.stderr else ""
    assert f"shelver: web UI on http://127.0.0.1:{port}/" in err


def test_watch_web_stopped_by_a_refused_key_is_one_line(make_profile: Callable[..., Path]) -> None:
    profile = make_profile(tmdb={"api_key": "revoked-since"}, web={"port": 0})
    proc = subprocess.run([str(BIN / "shelver"), "watch", "--web", "-p", str(profile)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "ExceptionGroup" not in proc.stderr, proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("shelver: error: TMDB refused")


def test_watch_web_without_the_plugin_is_a_usage_error(make_profile: Callable[..., Path]) -> None:
    profile = make_profile(plugins={"disable": ["web"]})
    proc = subprocess.run([str(BIN / "shelver"), "watch", "--web", "-p", str(profile)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "--web: no plugin serves it (is the web plugin disabled in" in proc.stderr


def test_the_watch_services_hook_answers_only_for_its_flag(make_profile: Callable[..., Path]) -> None:
    from shelver.profiles import load_with_plugins

    profile, pm = load_with_plugins(str(make_profile()))
    assert pm.hook.shelver_watch_services(profile=profile, options={"web": False}) == []
    (serve,) = pm.hook.shelver_watch_services(profile=profile, options={"web": True})
    assert callable(serve)


class Slow(KnownTitles):
    """Each file takes a while to identify, so a run is still going when it is stopped."""

    @hookimpl
    def shelver_match(self, item: Any, ctx: Any) -> Any:
        time.sleep(0.15)
        return super().shelver_match(item, ctx)


async def wait_for_running_run(state: Any) -> int:
    with trio.fail_after(20):
        while True:
            row = state.conn().execute("SELECT id FROM runs WHERE status='running'").fetchone()
            if row is not None:
                return int(row[0])
            await trio.sleep(0.05)


async def test_a_run_asked_to_stop_finishes_what_it_holds_and_leaves_the_rest(tmp_path: Path) -> None:
    engine, state = setup_engine(tmp_path, Slow(), workers=1)
    sources = [make_file(tmp_path / "in" / f"The.Matrix.1999.part{n:02d}.mkv") for n in range(30)]
    async with trio.open_nursery() as nursery:
        nursery.start_soon(engine.run, [tmp_path / "in"])
        run_id = await wait_for_running_run(state)
        await trio.sleep(0.3)
        assert state.request_stop(run_id) is True
    assert engine.interrupted
    run = state.conn().execute("SELECT status FROM runs WHERE id=?", (run_id,)).fetchone()
    assert run[0] == "interrupted"
    done = state.counts().get("INDEXED", 0)
    assert 1 <= done < 30
    # The rest wait where they were (queued, or not even recorded yet), nothing half-done.
    assert state.queued_count(run_id=run_id) <= 30 - done
    assert state.counts().get("PROCESSING", 0) == 0
    assert sum(1 for s in sources if s.exists()) == 30 - done
    assert len([p for p in (tmp_path / "lib").rglob("*.mkv")]) == done
    assert state.request_stop(run_id) is False  # not running any more


async def test_a_daemon_asked_to_drain_stops_by_itself(tmp_path: Path) -> None:
    engine, state = setup_engine(tmp_path, KnownTitles(), watch={"sweep_interval": 3600.0,
                                                                "settle_seconds": 0.1})
    with trio.fail_after(20):
        async with trio.open_nursery() as nursery:
            await nursery.start(engine.serve)
            run_id = await wait_for_running_run(state)
            assert state.request_stop(run_id, "drain")
        # serve() returned on its own: nothing cancelled the nursery
    status = state.conn().execute("SELECT status FROM runs WHERE id=?", (run_id,)).fetchone()[0]
    assert status == "stopped"
    assert state.conn().execute("SELECT count(*) FROM instances").fetchone()[0] == 0


@pytest.mark.slow
def test_demo_web_leaves_files_for_review_and_serves_them_until_ctrl_c(tmp_path: Path) -> None:
    import re
    import signal

    demo = subprocess.Popen([str(BIN / "shelver"), "demo", "--web", "--keep", str(tmp_path / "d")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = None
        assert demo.stderr is not None
        for line in demo.stderr:
            found = re.search(r"^shelver: web UI on (http://127\.0\.0\.1:\d+/)$", line.rstrip())
            if found:
                url = found.group(1)
                break
        assert url is not None
        waiting = httpx.get(f"{url}api/review").json()["items"]
        assert sorted(Path(i["path"]).name for i in waiting if i["candidates"]) == [
            "Battlestar.Galactica.S01E01.720p.BluRay.x264-GRP.mkv",
            "The.Office.S02E03.720p.WEB-DL.x264-GRP.mkv"]
        card = next(i for i in waiting if i["candidates"])
        assert httpx.get(f"{url}poster/{card['id']}/1").headers["content-type"] == "image/jpeg"
        demo.send_signal(signal.SIGINT)
        _out, err = demo.communicate(timeout=20)
    finally:
        if demo.poll() is None:
            demo.kill()
    assert demo.returncode == 0 and err.strip().endswith("stopped")


def test_a_port_out_of_range_is_named() -> None:
    from shelver.api import ConfigError

    with pytest.raises(ConfigError, match=r"^port 70000 is not a port \(0 to 65535; 0: any free "
                                          r"one\) \(web\.port in p\.toml\)$"):
        server.check_bindable("127.0.0.1", 70000, "web.port in p.toml")
    server.check_bindable("127.0.0.1", 0, "unused")
