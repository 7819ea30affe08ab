"""The ``notify`` plugin's hooks: a run's summary to the ``[webhook]`` URL (JSON) and to every
``[notify] urls`` Apprise URL, once per run (a daemon: once per batch), and the
``shelver notify test`` command (docs/media-servers.md, "Notifications"). Off unless one of
them is set."""

from __future__ import annotations

from typing import Any

import click
from shelver.api import (
    ConfigError,
    Delivery,
    Profile,
    RunContext,
    StateDB,
    delivery_status,
    hookimpl,
    redact,
)
from shelver.plugins.notify import commands, messages

NAME = "notify"


@hookimpl
def shelver_config_schema() -> dict[str, dict[str, Any]]:
    return {"webhook": {"url": "", "headers": {}, "timeout": 10.0},
            NAME: {"urls": [], "timeout": 10.0}}


@hookimpl
def shelver_check_profile(profile: Profile) -> None:
    """The webhook's URL and the Apprise URLs checked, touching nothing (Apprise installed?)."""
    url = str(profile.get("webhook.url", "") or "")
    if url and not url.startswith(("http://", "https://")):
        raise ConfigError(f"webhook.url must start with http:// or https://, not "
                          f"{messages.shown(url)!r} ({profile.where('webhook.url')})")
    urls = profile.get(f"{NAME}.urls", []) or []
    if any(not isinstance(u, str) for u in urls):
        raise ConfigError(f"{NAME}.urls must be a list of Apprise URLs (strings) "
                          f"({profile.where(f'{NAME}.urls')})")
    if urls:
        try:
            import apprise  # noqa: F401 - only whether it is installed
        except ImportError:
            raise ConfigError(f"{NAME}.urls needs Apprise, an optional part of shelver: pip install "
                              f"'shelver[notify]' ({profile.where(f'{NAME}.urls')})") from None


def _configured(profile: Profile) -> tuple[str, list[str]]:
    url = str(profile.get("webhook.url", "") or "")
    for value in profile.section("webhook").get("headers", {}).values():
        redact(str(value))  # an Authorization header's secret
    urls = [u for u in profile.get(f"{NAME}.urls", []) or [] if isinstance(u, str) and u]
    for each in urls:
        redact(each)
    return url, urls


@hookimpl
def shelver_run_summary(summary: dict[str, Any], ctx: RunContext) -> list[Delivery] | None:
    url, urls = _configured(ctx.profile)
    deliveries = []
    if url:
        deliveries.append(Delivery(NAME, "webhook", f"run summary to {messages.shown(url)}",
                                   {"kind": "webhook", "body": messages.webhook_body(summary)}))
    title, body = messages.text(summary)
    for number, each in enumerate(urls, 1):
        deliveries.append(Delivery(NAME, f"apprise #{number}",
                                   f"run summary to {messages.shown(each)}",
                                   {"kind": "apprise", "number": number, "title": title,
                                    "body": body, "type": messages.level(summary)}))
    return deliveries or None


@hookimpl
def shelver_deliver(delivery: Delivery, ctx: RunContext) -> str | None:
    if delivery.plugin != NAME:
        return None
    url, urls = _configured(ctx.profile)
    payload = delivery.payload
    if payload["kind"] == "webhook":
        if not url:
            return None
        return messages.post_webhook(url, ctx.profile.section("webhook"), payload["body"])
    number = int(payload["number"])
    if number > len(urls):
        return None  # the URL is gone from the profile
    return messages.send_apprise(urls[number - 1], payload["title"], payload["body"],
                                 payload["type"], float(ctx.profile.get(f"{NAME}.timeout", 10.0)))


@hookimpl
def shelver_register_commands(cli: click.Group) -> None:
    commands.register_commands(cli)  # notify test


@hookimpl
def shelver_status(profile: Profile, state: StateDB) -> dict[str, Any] | None:
    url, urls = _configured(profile)
    if not url and not urls:
        return None
    return {NAME: delivery_status(state, profile.name, NAME, NAME)}
