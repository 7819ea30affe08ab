"""The web UI over HTTP (httpx against the ASGI app): every page and API endpoint, the token,
CSRF, escaping, ids that do not exist, posters, review decisions, undo (docs/web.md)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from shelver.model import State
from shelver.plugins.web import security
from shelver.plugins.web.actions import Web
from shelver.plugins.web.app import create_app
from shelver.plugins.web.server import open_web

HOSTILE = "<img src=x onerror=alert(1)>.mkv"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


@dataclass
class Site:
    web: Web
    client: httpx.AsyncClient
    profile: Path
    tmp: Path
    tmdb: Any

    @property
    def csrf(self) -> str:
        return self.web.csrf


def office_card(tmdb: Any, **extra: Any) -> dict[str, Any]:
    """A candidate as the TMDB matcher stores it for review (poster on the look-alike)."""
    show = httpx.get(f"{tmdb.base_url}/tv/2316", params={"api_key": tmdb.api_key}).json()
    return {"provider": "tmdb", "type": "tv", "id": 2316, "title": show["name"], "year": 2005,
            "score": 0.6, "reasons": {"title": 1.0, "kind": "match"},
            "poster": f"{tmdb.image_base_url}w342{show['poster_path']}",
            "overview": show["overview"], "runtime": 22, **extra}


def waiting(web: Web, path: Path, candidates: list[dict[str, Any]],
            parsed: dict[str, Any] | None = None) -> int:
    """A file left for review, recorded as a run leaves one."""
    st = path.stat() if path.exists() else None
    item_id = web.state.observe(str(path), st.st_size if st else 1, st.st_mtime if st else 1.0,
                                st.st_ino if st else 1, "test")
    assert item_id is not None
    web.state.conn().execute("DELETE FROM queue WHERE item_id=?", (item_id,))
    assert web.state.transition(item_id, State.NEW, State.REVIEW, candidates=candidates,
                                parsed=parsed or {"kind": "episode", "title": "The Office",
                                                  "season": 2, "episodes": [1]})
    return item_id


@pytest.fixture
async def site(tmp_path: Path, make_profile: Callable[..., Path], tmdb_server: Any
               ) -> AsyncIterator[Site]:
    profile = make_profile()
    web = open_web(str(profile), "127.0.0.1")
    transport = httpx.ASGITransport(app=create_app(web))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8765") as client:
        yield Site(web, client, profile, tmp_path, tmdb_server)
    web.close()
    web.default.close()


def escaped(text: str) -> bool:
    """The hostile name shows only as text: never as a tag."""
    return "<img src=x" not in text and "&lt;img src=x onerror=alert(1)&gt;.mkv" in text


async def test_every_page_renders_escapes_and_has_the_csp(site: Site) -> None:
    hostile = waiting(site.web, site.tmp / "downloads" / HOSTILE,
                      [office_card(site.tmdb, title="<script>alert(2)</script>",
                                   overview="<b onmouseover=x()>bold</b>")])
    run_id = site.web.state.start_run("test", "run", "inplace")
    site.web.state.end_run(run_id, "done", {"review": 1})
    from shelver.store.events import EventLog

    log = EventLog(site.web.state, run_id)
    log.add("item-done", hostile, status="review", source=str(site.tmp / "downloads" / HOSTILE),
            destination=None, error=None, reason="<i>why</i>")
    log.flush()
    for path in ("/", "/fragments/overview", "/review", f"/review/{hostile}", "/activity",
                 f"/runs/{run_id}", f"/items/{hostile}", "/api/status", "/api/review"):
        answer = await site.client.get(path)
        assert answer.status_code == 200, (path, answer.text[:500])
        assert answer.headers["content-security-policy"] == CSP, path
        assert answer.headers["x-content-type-options"] == "nosniff"
        if not path.startswith("/api/"):  # JSON is text to a browser, never markup
            assert "<img src=x" not in answer.text, path
        if path in ("/review", f"/review/{hostile}", f"/runs/{run_id}", f"/items/{hostile}"):
            assert escaped(answer.text), path
            assert "<script>alert" not in answer.text and "<b onmouseover" not in answer.text
            assert "<i>why</i>" not in answer.text
    page = (await site.client.get("/review")).text
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert f'src="/poster/{hostile}/1"' in page  # proxied: no URL of another host in the page
    assert site.tmdb.image_base_url not in page
    assert "<script" not in page.replace('<script src="/static/htmx.min.js"></script>', "") \
        .replace('<script src="/static/live.js"></script>', "")
    listed = (await site.client.get("/api/review")).json()
    assert listed["items"][0]["path"].endswith(HOSTILE) and listed["total"] == 1


async def test_a_name_with_control_characters_shows_them_written_out(site: Site) -> None:
    name = "\x1b[31mThe.Office\nS02E01.mkv"  # a newline would read as a space on the page
    item = waiting(site.web, site.tmp / "downloads" / name,
                   [office_card(site.tmdb, overview="First paragraph.\r\n\r\nSecond one.")])
    for path in ("/review", f"/items/{item}"):
        page = (await site.client.get(path)).text
        assert "\x1b" not in page and "The.Office\nS02E01" not in page, path
        assert "\\x1b[31mThe.Office\\nS02E01.mkv" in page, path
    review = (await site.client.get("/review")).text
    assert "First paragraph. Second one." in review  # a plot's paragraphs: one line on a card
    assert (await site.client.get("/api/review")).json()["items"][0]["path"].endswith(name)


async def test_no_page_shows_the_api_key(site: Site) -> None:
    waiting(site.web, site.tmp / "downloads" / "x.mkv", [office_card(site.tmdb)])
    for path in ("/", "/review", "/activity", "/api/status", "/api/review", "/items/1"):
        answer = await site.client.get(path)
        assert site.tmdb.api_key not in answer.text, path


async def test_ids_that_do_not_exist_are_404(site: Site) -> None:
    for path in ("/items/999999", "/runs/999999", "/review/999999", "/poster/999999/1",
                 "/runs/999999/undo", "/api/items/999999", "/api/runs/999999", "/items/abc",
                 "/nowhere"):
        answer = await site.client.get(path)
        assert answer.status_code == 404, path
    for path in ("/review/999999/accept", "/review/999999/ignore", "/review/999999/search",
                 "/runs/999999/undo", "/runs/999999/stop"):
        answer = await site.client.post(path, data={"csrf": site.csrf, "text": "x", "choice": "1"})
        assert answer.status_code == 404, (path, answer.text[:300])
        assert "no item 999999" in answer.text or "no run 999999" in answer.text
    answer = await site.client.post("/api/review/999999/accept", json={"candidate": 1},
                                    headers={"x-csrf-token": site.csrf})
    assert answer.status_code == 404 and answer.json() == {"error": "no item 999999"}


async def test_every_post_needs_the_csrf_token(site: Site) -> None:
    item_id = waiting(site.web, site.tmp / "downloads" / "x.mkv", [office_card(site.tmdb)])
    run_id = site.web.state.start_run("test", "run", "inplace")
    posts = [(f"/review/{item_id}/accept", {"choice": "1"}),
             (f"/review/{item_id}/ignore", {"reason": "home video"}),
             (f"/review/{item_id}/search", {"text": "office"}),
             (f"/runs/{run_id}/undo", {}), (f"/runs/{run_id}/stop", {})]
    for path, form in posts:
        for token in (None, "wrong", ""):
            data = form if token is None else {**form, "csrf": token}
            answer = await site.client.post(path, data=data)
            assert answer.status_code == 403, (path, token)
            assert "CSRF" in answer.text
    answer = await site.client.post(f"/api/review/{item_id}/accept", json={"candidate": 1})
    assert answer.status_code == 403 and "CSRF" in answer.json()["error"]
    row = site.web.state.item(item_id)
    assert row is not None and row["state"] == "REVIEW"  # nothing changed
    assert site.web.state.stop_requested(run_id) is None


async def test_a_token_is_needed_when_the_server_has_one(site: Site) -> None:
    site.web.token = "s3cret-token"
    for path in ("/", "/review", "/api/status", "/static/htmx.min.js", "/events"):
        answer = await site.client.get(path)
        assert answer.status_code == 401, path
        assert answer.headers["content-security-policy"] == CSP
    wrong = await site.client.get("/", headers={"authorization": "Bearer nope"})
    assert wrong.status_code == 401
    ok = await site.client.get("/api/status", headers={"authorization": "Bearer s3cret-token"})
    assert ok.status_code == 200
    visit = await site.client.get("/review?token=s3cret-token")
    assert visit.status_code == 303 and visit.headers["location"] == "/review"
    assert "httponly" in visit.headers["set-cookie"].lower()
    assert "samesite=strict" in visit.headers["set-cookie"].lower()
    site.client.cookies.set(security.TOKEN_COOKIE, "s3cret-token")
    assert (await site.client.get("/")).status_code == 200
    # A script with the token in its header needs no CSRF token; a browser with the cookie does.
    item_id = waiting(site.web, site.tmp / "downloads" / "x.mkv", [office_card(site.tmdb)])
    refused = await site.client.post(f"/review/{item_id}/ignore", data={"reason": "r"})
    assert refused.status_code == 403
    done = await site.client.post(f"/review/{item_id}/ignore", data={"reason": "r"},
                                  headers={"authorization": "Bearer s3cret-token"})
    assert done.status_code == 303


def test_the_token_file_is_private_and_required_beyond_loopback(isolated_home: Path) -> None:
    from shelver.api import ConfigError

    assert security.token_for("127.0.0.1") is None and security.token_for("::1") is None
    with pytest.raises(ConfigError, match=r"serving on 0\.0\.0\.0 \(not loopback\) needs a token"):
        security.token_for("0.0.0.0")
    token = security.make_token()
    assert security.make_token() == token  # made once
    assert os.stat(security.token_path()).st_mode & 0o777 == 0o600
    assert security.token_for("0.0.0.0") == token
    os.chmod(security.token_path(), 0o644)
    with pytest.raises(ConfigError, match="readable by others"):
        security.token_for("0.0.0.0")


async def test_posters_are_proxied_by_item_and_number_only(site: Site) -> None:
    item_id = waiting(site.web, site.tmp / "downloads" / "x.mkv", [
        office_card(site.tmdb), office_card(site.tmdb, poster=None),
        office_card(site.tmdb, poster="file:///etc/passwd")])
    answer = await site.client.get(f"/poster/{item_id}/1")
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/jpeg"
    assert answer.content[:2] == b"\xff\xd8"
    for which in ("2", "3", "4", "0", "s1", "..%2F..%2Fetc%2Fpasswd"):
        assert (await site.client.get(f"/poster/{item_id}/{which}")).status_code == 404, which


async def test_accepting_processes_the_file_at_once_and_shows_where_it_went(
        site: Site, video: Callable[..., Path]) -> None:
    source = video(site.tmp / "downloads" / "The.Office.S02E01.mkv", 1320)
    item_id = waiting(site.web, source, [office_card(site.tmdb)])
    answer = await site.client.post(f"/review/{item_id}/accept",
                                    data={"csrf": site.csrf, "choice": "1"})
    assert answer.status_code == 303 and answer.headers["location"] == f"/items/{item_id}?accepted=1"
    page = (await site.client.get(answer.headers["location"])).text
    row = site.web.state.item(item_id)
    assert row is not None and row["state"] == "INDEXED", row
    destination = Path(row["path"])
    assert destination.is_file() and not source.exists()
    assert "The Office (2005)" in str(destination)
    assert "Accepted: organised" in page and f'<td id="destination">{destination}</td>' in page
    activity = (await site.client.get("/activity")).text
    assert re.search(r"<td>review</td><td>inplace</td><td>done</td>\s*<td>1 organised</td>", activity)


async def test_a_run_s_review_item_shows_each_candidate_s_points_and_the_threshold(
        site: Site, video: Callable[..., Path]) -> None:
    """A real run leaves The Thing (1982 or 2011? no year, a running time between) for review:
    its cards show the points of each signal and the confidence the provider needed."""
    from tests.conftest import shelver

    source = video(site.tmp / "downloads" / "The.Thing.1080p.BluRay.mkv", 106 * 60)
    assert shelver("run", str(source), "-p", str(site.profile)).returncode == 0
    (row,) = site.web.state.conn().execute("SELECT id, threshold FROM items WHERE state='REVIEW'")
    page = (await site.client.get("/review")).text
    assert row["threshold"] and f"(threshold {row['threshold']})" in page
    for name in ("title", "year", "kind", "country", "runtime", "popularity"):
        assert re.search(rf'<tr><td>{name}</td><td class="num">-?[0-9.]+</td></tr>', page), name


async def test_the_api_accepts_a_pasted_identity(site: Site, video: Callable[..., Path]) -> None:
    source = video(site.tmp / "downloads" / "x7f3.mkv", 8880)
    item_id = waiting(site.web, source, [], parsed={"kind": "movie", "title": "x7f3"})
    status = (await site.client.get("/api/status")).json()
    answer = await site.client.post(f"/api/review/{item_id}/accept",
                                    json={"id": "tmdb:movie/27205"},
                                    headers={"x-csrf-token": status["csrf"]})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["processed_by"] == "web"
    assert body["decided"] == [{"item": item_id, "identity": "tmdb:movie/27205"}]
    (result,) = body["results"]
    assert result["status"] == "organised"
    assert Path(result["destination"]).name == "Inception (2010) {tmdb-27205}.mkv"
    again = await site.client.post(f"/api/review/{item_id}/accept", json={"candidate": 1},
                                   headers={"x-csrf-token": status["csrf"]})
    assert again.status_code == 409 and "not waiting for review" in again.json()["error"]
    bad = await site.client.post("/api/review/1/accept", content=b"[1]",
                                 headers={"x-csrf-token": status["csrf"],
                                          "content-type": "application/json"})
    assert bad.status_code == 400


async def test_a_folder_is_accepted_at_once_when_a_daemon_runs(site: Site) -> None:
    folder = site.tmp / "downloads" / "The.Office.S02"
    first = waiting(site.web, folder / "The.Office.S02E01.mkv", [office_card(site.tmdb)])
    second = waiting(site.web, folder / "The.Office.S02E02.mkv", [office_card(site.tmdb)],
                     parsed={"kind": "episode", "title": "The Office", "season": 2, "episodes": [2]})
    elsewhere = waiting(site.web, site.tmp / "downloads" / "Other.S02E03.mkv", [office_card(site.tmdb)])
    site.web.state.heartbeat("test")  # this process stands in for the profile's daemon
    answer = await site.client.post(f"/review/{first}/accept",
                                    data={"csrf": site.csrf, "choice": "1", "folder": "1"})
    assert answer.status_code == 303
    page = (await site.client.get(answer.headers["location"])).text
    assert "Accepted: queued for the daemon of test" in page
    for item_id, episode in ((first, 1), (second, 2)):
        row = site.web.state.item(item_id)
        assert row is not None and row["state"] == "NEW"
        assert json.loads(row["forced_identity"]) == {"provider": "tmdb", "kind": "tv", "id": "2316",
                                                      "season": 2, "episodes": [episode]}
    assert site.web.state.queued_count("test") == 2
    other = site.web.state.item(elsewhere)
    assert other is not None and other["state"] == "REVIEW"
    status = (await site.client.get("/api/status")).json()
    assert status["queue"] == {"test": {"CRITICAL": 2}}
    assert status["states"] == {"test": {"NEW": 2, "REVIEW": 1}}
    (instance,) = status["instances"]
    assert (instance["profile"], instance["pid"], instance["alive"]) == ("test", os.getpid(), True)
    overview = (await site.client.get("/")).text
    assert f"<td>test</td><td>{instance['host']}</td><td>{os.getpid()}</td>" in overview


async def test_setting_aside_keeps_the_reason(site: Site) -> None:
    item_id = waiting(site.web, site.tmp / "downloads" / "VID_2019.mp4", [office_card(site.tmdb)])
    answer = await site.client.post(f"/review/{item_id}/ignore",
                                    data={"csrf": site.csrf, "reason": "  family <video>  "})
    assert answer.status_code == 303 and answer.headers["location"] == "/review"
    row = site.web.state.item(item_id)
    assert row is not None and (row["state"], row["note"]) == ("SKIPPED", "family <video>")
    page = (await site.client.get(f"/items/{item_id}")).text
    assert "family &lt;video&gt;" in page
    assert "Nothing waits for review" in (await site.client.get("/review")).text


async def test_searching_by_title_and_by_url_gives_cards_to_accept(
        site: Site, video: Callable[..., Path]) -> None:
    source = video(site.tmp / "downloads" / "x7f3.mkv", 8880)
    item_id = waiting(site.web, source, [], parsed={"kind": "movie", "title": "x7f3"})
    empty = await site.client.post(f"/review/{item_id}/search", data={"csrf": site.csrf, "text": " "})
    assert empty.status_code == 400
    answer = await site.client.post(f"/review/{item_id}/search",
                                    data={"csrf": site.csrf, "text": "inception", "year": "2010",
                                          "kind": "movie"})
    assert answer.status_code == 303
    page = (await site.client.get(f"/review/{item_id}")).text
    assert "Inception <span class=\"year\">(2010)</span>" in page
    assert f'src="/poster/{item_id}/s1"' in page
    assert (await site.client.get(f"/poster/{item_id}/s1")).status_code == 200
    await site.client.post(f"/review/{item_id}/search", data={
        "csrf": site.csrf, "text": "https://www.themoviedb.org/movie/603-the-matrix"})
    page = (await site.client.get(f"/review/{item_id}")).text
    assert "The Matrix <span class=\"year\">(1999)</span>" in page
    assert page.count('class="card"') == 1
    answer = await site.client.post(f"/review/{item_id}/accept",
                                    data={"csrf": site.csrf, "choice": "s1"})
    assert answer.status_code == 303
    row = site.web.state.item(item_id)
    assert row is not None and "{tmdb-603}" in row["path"]


async def test_a_run_is_undone_after_a_preview(site: Site, video: Callable[..., Path]) -> None:
    source = video(site.tmp / "downloads" / "x7f3.mkv", 8880)
    item_id = waiting(site.web, source, [], parsed={"kind": "movie", "title": "x7f3"})
    body = (await site.client.post(f"/api/review/{item_id}/accept", json={"id": "tmdb:movie/27205"},
                                   headers={"x-csrf-token": site.csrf})).json()
    placed = Path(body["results"][0]["destination"])
    run_id = site.web.state.item(item_id)["run_id"]  # type: ignore[index]
    preview = await site.client.get(f"/runs/{run_id}/undo")
    assert preview.status_code == 200
    assert f"<li>{placed} -&gt; {source}</li>" in preview.text
    assert placed.exists() and not source.exists()  # the preview touched nothing
    done = await site.client.post(f"/runs/{run_id}/undo", data={"csrf": site.csrf})
    assert done.status_code == 200, done.text
    assert "1 file(s) moved back" in done.text
    assert source.exists() and not placed.exists()
    again = await site.client.get(f"/runs/{run_id}/undo")
    assert "0 file(s) move back" in again.text


async def test_a_changed_file_makes_the_undo_refuse(site: Site, video: Callable[..., Path]) -> None:
    source = video(site.tmp / "downloads" / "x7f3.mkv", 8880)
    item_id = waiting(site.web, source, [], parsed={"kind": "movie", "title": "x7f3"})
    body = (await site.client.post(f"/api/review/{item_id}/accept", json={"id": "tmdb:movie/27205"},
                                   headers={"x-csrf-token": site.csrf})).json()
    placed = Path(body["results"][0]["destination"])
    with placed.open("ab") as grown:
        grown.write(b"more")
    run_id = site.web.state.item(item_id)["run_id"]  # type: ignore[index]
    preview = (await site.client.get(f"/runs/{run_id}/undo")).text
    assert "This run cannot be undone" in preview and "changed since the run" in preview
    assert "confirm-undo" not in preview
    done = await site.client.post(f"/runs/{run_id}/undo", data={"csrf": site.csrf})
    assert done.status_code == 409 and placed.exists()
    app = site.web.default
    hooked = app.pm.hook.shelver_undo_run(state=app.state, run_id=run_id, pm=app.pm,
                                          profile=app.profile)
    assert hooked["refused"] == app.pm.hook.shelver_undo_preview(
        state=app.state, run_id=run_id, pm=app.pm)["refused"] != []
    assert placed.exists()


async def test_activity_pages_by_keyset_and_filters(site: Site) -> None:
    state = site.web.state
    ids = []
    for n in range(120):
        run_id = state.start_run("test", "run", "inplace")
        state.end_run(run_id, "done" if n % 3 else "interrupted", {"organised": n})
        ids.append(run_id)
    first = (await site.client.get("/api/runs")).json()
    assert [r["id"] for r in first["runs"]] == ids[::-1][:50] and first["next"] == ids[-50]
    second = (await site.client.get(f"/api/runs?before={first['next']}")).json()
    assert [r["id"] for r in second["runs"]] == ids[::-1][50:100]
    only = (await site.client.get("/api/runs?status=interrupted")).json()
    assert {r["status"] for r in only["runs"]} == {"interrupted"} and len(only["runs"]) == 40
    page = (await site.client.get("/activity")).text
    assert page.count("<tr><td><a href=\"/runs/") == 50
    assert f"/activity?before={ids[-50]}" in page
    assert (await site.client.get("/activity?before=x")).status_code == 400
    # A run's files: searched by name, filtered by status, a page at a time.
    from shelver.store.events import EventLog

    log = EventLog(state, ids[0])
    for n in range(60):
        log.add("item-done", None, status="error" if n % 2 else "organised",
                source=f"/d/Movie_{n}%.mkv", destination=f"/lib/Movie {n}.mkv", error=None)
    log.flush()
    files = (await site.client.get(f"/api/runs/{ids[0]}")).json()
    assert len(files["files"]) == 50 and files["next"] is not None
    rest = (await site.client.get(f"/api/runs/{ids[0]}?after={files['next']}")).json()
    assert len(rest["files"]) == 10 and rest["next"] is None
    errors = (await site.client.get(f"/api/runs/{ids[0]}?status=error&q=movie_1")).json()
    assert [f["source"] for f in errors["files"]] == [
        f"/d/Movie_{n}%.mkv" for n in (1, 11, 13, 15, 17, 19)]
    assert (await site.client.get(f"/api/runs/{ids[0]}?q=_5%25")).json()["files"][0]["source"] \
        == "/d/Movie_5%.mkv"
    page = (await site.client.get(f"/runs/{ids[0]}?status=organised&q=Movie_2")).text
    assert page.count("<tr class=\"organised\">") == 6  # 2, 20, 22, 24, 26, 28


async def test_a_running_run_shows_its_progress_and_is_asked_to_stop(site: Site) -> None:
    from shelver.store.events import EventLog

    run_id = site.web.state.start_run("test", "run", "inplace")
    log = EventLog(site.web.state, run_id)
    log.add("progress", done=3, total=10)
    log.flush()
    failed = waiting(site.web, site.tmp / "downloads" / "broken.mkv", [])
    assert site.web.state.transition(failed, State.REVIEW, State.PROCESSING)
    next_retry = site.web.state.fail(failed, "broken.mkv: TMDB unreachable")
    status = (await site.client.get("/api/status")).json()
    (running,) = status["running"]
    assert (running["id"], running["done"], running["total"]) == (run_id, 3, 10)
    assert running["rate"] > 0 and running["eta"] is not None
    (error,) = status["errors"]
    assert (error["id"], error["last_error"], error["next_retry"]) == (
        failed, "broken.mkv: TMDB unreachable", next_retry)
    page = (await site.client.get("/")).text
    assert '<span class="done">3 / 10</span> files' in page
    assert "broken.mkv: TMDB unreachable" in page
    assert f'action="/runs/{run_id}/stop"' in page and ">Cancel</button>" in page
    answer = await site.client.post(f"/runs/{run_id}/stop", data={"csrf": site.csrf})
    assert answer.status_code == 303
    assert site.web.state.stop_requested(run_id) == "cancel"
    site.web.state.end_run(run_id, "interrupted", {})
    again = await site.client.post(f"/runs/{run_id}/stop", data={"csrf": site.csrf})
    assert again.status_code == 400 and "is not running" in again.text


async def test_the_tmdb_search_hook_answers_titles_ids_and_urls(site: Site) -> None:
    from shelver.api import RunContext

    app = site.web.default
    ctx = RunContext(profile=app.profile, state=app.state, pm=app.pm, run_id=0, mode="inplace",
                     dry_run=True)

    async def search(text: str, year: int | None = None, kind: str | None = None) -> Any:
        answers = app.pm.hook.shelver_search(text=text, year=year, kind=kind, ctx=ctx)
        return [await a if hasattr(a, "__await__") else a for a in answers]

    (by_title,) = await search("the office", kind="tv")
    assert [(c["id"], c["year"]) for c in by_title][:2] == [(2316, 2005), (2996, 2001)]
    assert by_title[0]["poster"].startswith(site.tmdb.image_base_url + "w342/")
    assert by_title[0]["overview"]
    (by_url,) = await search("https://www.themoviedb.org/movie/603-the-matrix")
    assert [(c["provider"], c["type"], c["id"], c["title"], c["runtime"]) for c in by_url] == [
        ("tmdb", "movie", 603, "The Matrix", 136)]
    (by_id,) = await search("tmdb:tv/1396")
    assert by_id[0]["title"] == "Breaking Bad"
    assert await search("catalogue:movie/bb") == [None]
    assert await search("tmdb:movie/999999999") == [[]]
    assert ctx.resources == {}  # its own client, closed again


async def test_without_a_token_only_loopback_names_are_served(site: Site) -> None:
    """A page elsewhere that points its own name at 127.0.0.1 (DNS rebinding) reads nothing."""
    for host in ("evil.example", "evil.example:8765", "127.0.0.2.nip.io"):
        answer = await site.client.get("/api/status", headers={"host": host})
        assert answer.status_code == 403 and "csrf" not in answer.text, host
    for host in ("127.0.0.1:8765", "localhost:8765", "localhost", "[::1]:8765"):
        assert (await site.client.get("/api/status", headers={"host": host})).status_code == 200


async def test_a_failure_inside_is_one_line_and_a_page(site: Site, monkeypatch: pytest.MonkeyPatch,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    from shelver.plugins.web import queries

    def broken(*args: Any) -> Any:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(queries, "item_detail", broken)
    page = await site.client.get("/items/1")
    assert page.status_code == 500 and "OSError: [Errno 5] Input/output error" in page.text
    api = await site.client.get("/api/items/1")
    assert api.status_code == 500 and api.json() == {"error": "OSError: [Errno 5] Input/output error"}
    assert [r.getMessage() for r in caplog.records] == [
        "web: GET /items/1 failed: OSError: [Errno 5] Input/output error",
        "web: GET /api/items/1 failed: OSError: [Errno 5] Input/output error"]
