"""The Starlette application: routes, the security layer around them, the JSON API.

Pages are in :mod:`~shelver.plugins.web.pages`, the live stream in
:mod:`~shelver.plugins.web.live`; every route is listed in :func:`create_app` and in
docs/web.md.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from shelver.api import ShelverError
from shelver.plugins.web import actions, queries, security
from shelver.plugins.web.actions import NotFound, Web
from shelver.plugins.web.forms import BadRequest, Forbidden, checked_form, number, web_of
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

Handler = Callable[[Request], Awaitable[Response]]
log = logging.getLogger("shelver")


class Guard:
    """ASGI middleware: the token (when the server has one), then the security headers on every
    answer (docs/web.md, "Security")."""

    def __init__(self, app: Any, web: Web) -> None:
        self.app = app
        self.web = web

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        token = self.web.token
        if token is None and not security.host_allowed(request.headers.get("host"), self.web.host):
            await self._send(PlainTextResponse(
                "403: this server answers requests for 127.0.0.1 or localhost only",
                status_code=403), scope, receive, send)
            return
        if token is not None:
            given = security.bearer(request.headers) or request.cookies.get(security.TOKEN_COOKIE)
            query = request.query_params.get("token")
            if query is not None and security.same(query, token) and request.method == "GET":
                # First visit with ?token=...: remembered in a cookie, the URL loses it.
                answer: Response = Response(status_code=303, headers={"location": request.url.path})
                answer.set_cookie(security.TOKEN_COOKIE, token, httponly=True, samesite="strict")
                await self._send(answer, scope, receive, send)
                return
            if not security.same(given, token):
                await self._send(PlainTextResponse(
                    "401: this server needs its token (shelver web --print-token)",
                    status_code=401, headers={"www-authenticate": "Bearer"}), scope, receive, send)
                return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                have = {name.lower() for name, _value in headers}
                headers += [(k.encode(), v.encode()) for k, v in security.HEADERS.items()
                            if k.encode() not in have]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _send(self, answer: Response, scope: Any, receive: Any, send: Any) -> None:
        for key, value in security.HEADERS.items():
            answer.headers[key] = value
        await answer(scope, receive, send)


def errors_as_answers(handler: Handler, *, api: bool) -> Handler:
    """NotFound → 404, a refused action (ConfigError) → 409, bad input → 400, CSRF → 403; as
    JSON for the API, as a page otherwise."""

    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except NotFound as exc:
            status, message = 404, str(exc)
        except Forbidden as exc:
            status, message = 403, str(exc)
        except BadRequest as exc:
            status, message = 400, str(exc)
        except ShelverError as exc:  # ConfigError and the like: refused, nothing changed
            status, message = 409, str(exc)
        except Exception as exc:  # a bug or a disk error: one line in the log, a page, no trace
            log.error("web: %s %s failed: %s: %s", request.method, request.url.path,
                      type(exc).__name__, exc)
            status, message = 500, f"{type(exc).__name__}: {exc}"
        if api:
            return JSONResponse({"error": message}, status_code=status)
        from shelver.plugins.web.pages import render

        return render(request, "error.html", {"status": status, "message": message},
                      status_code=status)

    return wrapped


# -- the JSON API (docs/web.md, "JSON API") ----------------------------------------------------


async def api_status(request: Request) -> Response:
    web = web_of(request)
    data = await run_in_threadpool(queries.overview, web.state)
    return JSONResponse({**data, "csrf": web.csrf})


async def api_review(request: Request) -> Response:
    after = number(request.query_params.get("after"), "after") or 0
    return JSONResponse(await run_in_threadpool(queries.review_page, web_of(request).state, after))


async def api_accept(request: Request) -> Response:
    web = web_of(request)
    item_id = int(request.path_params["item"])
    data = await checked_form(request)
    choice = str(data.get("id") or data.get("candidate") or "1")
    episodes: Any = data.get("episodes") or []
    if not isinstance(episodes, list):
        raise BadRequest("episodes must be a list of numbers")
    answer = await run_in_threadpool(
        actions.accept, web, item_id, choice, season=number(data.get("season"), "season"),
        episodes=[number(e, "episodes") or 0 for e in episodes],
        whole_folder=bool(data.get("folder")))
    return JSONResponse(answer)


async def api_runs(request: Request) -> Response:
    before = number(request.query_params.get("before"), "before")
    return JSONResponse(await run_in_threadpool(
        queries.runs_page, web_of(request).state, before, request.query_params.get("status")))


async def api_run(request: Request) -> Response:
    web = web_of(request)
    run_id = int(request.path_params["run"])
    run = await run_in_threadpool(queries.run_row, web.state, run_id)
    if run is None:
        raise NotFound(f"no run {run_id}")
    files = await run_in_threadpool(
        queries.run_files, web.state, run_id, number(request.query_params.get("after"), "after") or 0,
        request.query_params.get("status"), request.query_params.get("q"))
    return JSONResponse({"run": run, **files})


async def api_item(request: Request) -> Response:
    web = web_of(request)
    item_id = int(request.path_params["item"])
    detail = await run_in_threadpool(queries.item_detail, web.state, item_id)
    if detail is None:
        raise NotFound(f"no item {item_id}")
    return JSONResponse(detail)


async def no_icon(request: Request) -> Response:
    return Response(status_code=204)  # browsers ask; there is none


def create_app(web: Web) -> Any:
    """The ASGI application of ``web``: Starlette with the :class:`Guard` around it."""
    from importlib.resources import files

    from shelver.plugins.web import live, pages

    def page(fn: Handler) -> Handler:
        return errors_as_answers(fn, api=False)

    def api(fn: Handler) -> Handler:
        return errors_as_answers(fn, api=True)

    routes = [
        Route("/", page(pages.overview)),
        Route("/fragments/overview", page(pages.overview_fragment)),
        Route("/review", page(pages.review)),
        Route("/review/{item:int}", page(pages.review_item)),
        Route("/review/{item:int}/accept", page(pages.accept), methods=["POST"]),
        Route("/review/{item:int}/ignore", page(pages.ignore), methods=["POST"]),
        Route("/review/{item:int}/search", page(pages.search), methods=["POST"]),
        Route("/activity", page(pages.activity)),
        Route("/runs/{run:int}", page(pages.run)),
        Route("/runs/{run:int}/undo", page(pages.undo_preview)),
        Route("/runs/{run:int}/undo", page(pages.undo), methods=["POST"]),
        Route("/runs/{run:int}/stop", page(pages.stop), methods=["POST"]),
        Route("/items/{item:int}", page(pages.item)),
        Route("/poster/{item:int}/{which:str}", page(pages.poster)),
        Route("/events", live.stream),
        Route("/favicon.ico", no_icon),
        Route("/api/status", api(api_status)),
        Route("/api/review", api(api_review)),
        Route("/api/review/{item:int}/accept", api(api_accept), methods=["POST"]),
        Route("/api/runs", api(api_runs)),
        Route("/api/runs/{run:int}", api(api_run)),
        Route("/api/items/{item:int}", api(api_item)),
        Mount("/static", StaticFiles(directory=str(files("shelver.plugins.web") / "static")),
              name="static"),
    ]
    app = Starlette(routes=routes)
    app.state.web = web
    return Guard(app, web)
