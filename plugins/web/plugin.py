"""The ``web`` plugin's hooks: the ``shelver web`` command, the server beside ``shelver watch
--web``, its ``[web]`` settings (docs/web.md)."""

from __future__ import annotations

from typing import Any

import click
from shelver.api import Profile, hookimpl


@hookimpl
def shelver_config_schema() -> dict[str, dict[str, Any]]:
    return {"web": {"host": "127.0.0.1", "port": 8765}}


@hookimpl
def shelver_register_commands(cli: click.Group) -> None:
    from shelver.plugins.web.commands import register_commands

    register_commands(cli)


@hookimpl
def shelver_watch_services(profile: Profile, options: dict[str, Any]) -> Any:
    from shelver.plugins.web.server import watch_service

    return watch_service(profile, options)
