"""The HTML pages: Overview, Review, Activity, a run (with Undo), an Item. Each handler reads
through :mod:`~shelver.plugins.web.queries` in a worker thread and renders a Jinja2 template
(autoescaped: every text from a file name, a profile or a provider is escaped; and shown as the
command line shows it, its control characters written out: a name with a newline or a terminal
escape is ``...\\nName`` on the page too, not a space or nothing)."""

from __future__ import annotations

import time
from importlib.resources import files
from typing import Any
from urllib.parse import urlencode

import jinja2
from shelver.api import __version__, printable
from shelver.plugins.web import actions, posters, queries
from shelver.plugins.web.actions import NotFound
from shelver.plugins.web.forms import BadRequest, checked_form, number, web_of
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(files("shelver.plugins.web") / "templates")),
    autoescape=True,
    # Plain text only (a str, not Markup such as |tojson's): written out, then escaped.
    finalize=lambda value: printable(value) if type(value) is str else value)


def _when(ts: Any) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(ts))) if ts else "–"


def _duration(seconds: Any) -> str:
    if not isinstance(seconds, (int, float)):
        return "–"
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}" if seconds >= 3600 \
        else f"{seconds // 60}:{seconds % 60:02d}"


def _reason(value: Any) -> str:
    """A score component as a short text: ``0.75``, ``candidate 2005, fit 0.75``."""
    if isinstance(value, dict):
        return ", ".join(f"{k} {_reason(v)}" for k, v in value.items() if v is not None)
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


ENV.filters.update(when=_when, duration=_duration, reason=_reason,
                   query=lambda values: urlencode({k: v for k, v in values.items() if v not in (None, "")}))


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    web = web_of(request)
    html = ENV.get_template(name).render(
        csrf=web.csrf, version=__version__, path=request.url.path,
        last_event_id=context.pop("last_event_id", None), **context)
    return HTMLResponse(html, status_code=status_code)


async def _read(fn: Any, *args: Any) -> Any:
    return await run_in_threadpool(fn, *args)


async def overview(request: Request) -> Response:
    web = web_of(request)
    data = await _read(queries.overview, web.state)
    data["rate"] = await _read(_rate_use, web)
    return render(request, "overview.html", {**data, "last_event_id": data["last_event_id"]})


async def overview_fragment(request: Request) -> Response:
    web = web_of(request)
    data = await _read(queries.overview, web.state)
    data["rate"] = await _read(_rate_use, web)
    return render(request, "_overview.html", data)


def _rate_use(web: actions.Web) -> list[str]:
    """The plugins' status lines about rate use (``shelver_status``), for the server's profile."""
    lines: list[str] = []
    app = web.default
    for answer in app.pm.hook.shelver_status(profile=app.profile, state=app.state):
        for name, section in (answer or {}).items():
            rate = section.get("rate") if isinstance(section, dict) else None
            if isinstance(rate, dict):
                used = sum(rate.get("by_instance", {}).values())
                lines.append(f"{name}: {used} of {rate.get('limit')} requests in the last "
                             f"{rate.get('window_seconds')} s")
            lines += [str(line) for line in (section or {}).get("lines", [])]
    return lines


async def review(request: Request) -> Response:
    web = web_of(request)
    after = number(request.query_params.get("after"), "after") or 0
    data = await _read(queries.review_page, web.state, after)
    return render(request, "review.html", {**data, "after": after, "searches": {},
                                           "last_event_id": None})


async def review_item(request: Request) -> Response:
    web = web_of(request)
    item_id = int(request.path_params["item"])
    row = await _read(actions.item_row, web, item_id)
    entry = queries.review_entry(row)
    return render(request, "review.html", {
        "items": [entry], "total": None, "next": None, "after": 0, "single": row["state"],
        "searches": {item_id: web.searches.get(item_id, [])}, "last_event_id": None})


async def accept(request: Request) -> Response:
    web = web_of(request)
    item_id = int(request.path_params["item"])
    form = await checked_form(request)
    episodes = [number(e, "episode") or 0 for e in (form.get("episodes") or "").replace(",", " ").split()]
    answer = await run_in_threadpool(
        lambda: actions.accept(web, item_id, form.get("choice") or "1",
                               season=number(form.get("season"), "season"), episodes=episodes,
                               whole_folder=form.get("folder") == "1"))
    first = answer["decided"][0]["item"] if answer["decided"] else item_id
    return RedirectResponse(f"/items/{first}?accepted={len(answer['decided'])}", status_code=303)


async def ignore(request: Request) -> Response:
    web = web_of(request)
    item_id = int(request.path_params["item"])
    form = await checked_form(request)
    await run_in_threadpool(actions.set_aside, web, item_id, form.get("reason") or "")
    return RedirectResponse("/review", status_code=303)


async def search(request: Request) -> Response:
    web = web_of(request)
    item_id = int(request.path_params["item"])
    form = await checked_form(request)
    text = (form.get("text") or "").strip()
    if not text:
        raise BadRequest("type a title, an id (tmdb:movie/603) or a provider's URL")
    kind = form.get("kind") if form.get("kind") in ("movie", "tv") else None
    await actions.search(web, item_id, text[:300], number(form.get("year"), "year"), kind)
    return RedirectResponse(f"/review/{item_id}", status_code=303)


async def activity(request: Request) -> Response:
    web = web_of(request)
    before = number(request.query_params.get("before"), "before")
    status = request.query_params.get("status") or None
    data = await _read(queries.runs_page, web.state, before, status)
    return render(request, "activity.html", {**data, "status": status, "before": before})


async def run(request: Request) -> Response:
    web = web_of(request)
    run_id = int(request.path_params["run"])
    row = await _read(queries.run_row, web.state, run_id)
    if row is None:
        raise NotFound(f"no run {run_id}")
    after = number(request.query_params.get("after"), "after") or 0
    status = request.query_params.get("status") or None
    name = (request.query_params.get("q") or "").strip() or None
    files_ = await _read(queries.run_files, web.state, run_id, after, status, name)
    progress = await _read(queries.progress, web.state, row) if row["status"] == "running" else None
    return render(request, "run.html", {"run": row, **files_, "status": status, "q": name,
                                        "progress": progress, "last_event_id": None})


async def undo_preview(request: Request) -> Response:
    web = web_of(request)
    run_id = int(request.path_params["run"])
    preview = await run_in_threadpool(lambda: actions.undo(web, run_id, preview=True))
    row = await _read(queries.run_row, web.state, run_id)
    return render(request, "undo.html", {"run": row, "report": preview, "done": False})


async def undo(request: Request) -> Response:
    web = web_of(request)
    run_id = int(request.path_params["run"])
    await checked_form(request)
    report = await run_in_threadpool(lambda: actions.undo(web, run_id, preview=False))
    row = await _read(queries.run_row, web.state, run_id)
    return render(request, "undo.html", {"run": row, "report": report, "done": True},
                  status_code=409 if report.get("refused") else 200)


async def stop(request: Request) -> Response:
    web = web_of(request)
    run_id = int(request.path_params["run"])
    await checked_form(request)
    if not await run_in_threadpool(actions.stop, web, run_id):
        raise BadRequest(f"run {run_id} is not running")
    return RedirectResponse(f"/runs/{run_id}", status_code=303)


async def item(request: Request) -> Response:
    web = web_of(request)
    item_id = int(request.path_params["item"])
    detail = await _read(queries.item_detail, web.state, item_id)
    if detail is None:
        raise NotFound(f"no item {item_id}")
    accepted = request.query_params.get("accepted") or ""
    return render(request, "item.html", {**detail,
                                         "accepted": int(accepted) if accepted.isdigit() else None})


async def poster(request: Request) -> Response:
    web = web_of(request)
    item_id = int(request.path_params["item"])
    url = await run_in_threadpool(posters.poster_url, web, item_id, request.path_params["which"])
    kind, data = await run_in_threadpool(posters.fetch, web, url)
    return Response(data, media_type=kind, headers={"cache-control": "private, max-age=3600"})
