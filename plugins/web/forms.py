"""What every handler shares: the server's state from a request, a POST's form once its CSRF
token is checked, numbers from the query string, and the errors that become 400 and 403."""

from __future__ import annotations

import json
from typing import Any

from shelver.plugins.web import security
from shelver.plugins.web.actions import Web
from starlette.requests import Request


def web_of(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


async def checked_form(request: Request) -> dict[str, str]:
    """A POST's form (or JSON body), once its CSRF token is checked (403 otherwise)."""
    web = web_of(request)
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            raise BadRequest("the body is not JSON") from None
        if not isinstance(body, dict):
            raise BadRequest("the body must be a JSON object")
        data = {str(k): v for k, v in body.items()}
    else:
        form = await request.form()
        data = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    scripted = web.token is not None and security.bearer(request.headers) is not None
    given = request.headers.get(security.CSRF_HEADER) or data.get(security.CSRF_FIELD)
    if not scripted and not security.same(str(given) if given is not None else None, web.csrf):
        raise Forbidden("missing or wrong CSRF token (reload the page)")
    return data


class BadRequest(Exception):
    pass


class Forbidden(Exception):
    pass


def number(text: Any, what: str) -> int | None:
    if text in (None, ""):
        return None
    try:
        return int(str(text))
    except ValueError:
        raise BadRequest(f"{what} must be a number, not {str(text)[:40]!r}") from None


