"""An example third-party shelver plugin.

Installed with pip, it is found through the ``shelver`` entry-point group (see pyproject.toml)
and registered under the entry point's name, ``example``. It adds:

* a profile section ``[example]`` with one setting, ``log_file``;
* a mode, ``copy-flat``: every identified file is copied to ``dest_dir/<Title> (<Year>)<ext>``;
* a JSON-lines log of every finished item (when ``example.log_file`` is set);
* a command, ``shelver example-hello``.

Every function below is an ordinary ``@hookimpl``; it imports only ``shelver.api``, the
declared plugin API, never shelver's internals.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import click
from shelver.api import (
    ConfigError,
    DestinationExists,
    Item,
    Placement,
    Plan,
    RunContext,
    Status,
    clean_component,
    hookimpl,
    place_file,
)

MODE = "copy-flat"

# Per-item hooks run in worker threads, several at once: appends to the log are serialised.
_log_lock = threading.Lock()


@hookimpl
def shelver_config_schema() -> dict[str, dict[str, Any]]:
    # ``[example] log_file = "..."`` in a profile; any other key there is a configuration error.
    return {"example": {"log_file": ""}}


@hookimpl
def shelver_register_modes(register: Any) -> None:
    register(MODE, "copy each identified file to dest_dir/<Title> (<Year>)<ext>, no folders")


@hookimpl
def shelver_register_commands(cli: click.Group) -> None:
    @cli.command(name="example-hello")
    @click.argument("name", default="world")
    def example_hello(name: str) -> None:
        """Say hello from the example plugin."""
        click.echo(f"Hello, {name}! (from shelver-example-plugin, mode {MODE!r})")


def log_path(ctx: RunContext) -> Path | None:
    """``example.log_file`` as a path (relative to the profile's folder), or None when unset."""
    value = str(ctx.profile.get("example.log_file") or "")
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_absolute() and ctx.profile.path is not None:
        path = ctx.profile.path.parent / path
    return path


@hookimpl
def shelver_run_check(ctx: RunContext) -> None:
    # A bad setting stops the run (exit 2) before any file is touched.
    path = log_path(ctx)
    if path is not None and not path.parent.is_dir():
        raise ConfigError(f"example.log_file: folder {path.parent} does not exist "
                          f"({ctx.profile.where('example.log_file')})")


def flat_name(item: Item) -> str:
    """``The Matrix (1999).mkv`` for a movie, ``Show (2008) - S01E02.mkv`` for an episode."""
    assert item.match is not None and item.identity is not None
    metadata = item.match.metadata  # a shelver.metadata.Metadata, whichever provider matched
    title = (metadata.title if metadata else None) or item.parsed.title or "Unknown"
    year = metadata.year if metadata else None
    name = f"{title} ({year})" if year else title
    if item.identity.kind == "tv":
        episodes = "".join(f"E{e:02d}" for e in item.identity.episodes)
        name += f" - S{item.identity.season or 0:02d}{episodes}"
    suffix = item.path.suffix.lower()
    return clean_component(name + suffix, keep_suffix=suffix)


@hookimpl
def shelver_plan_destination(item: Item, ctx: RunContext) -> Plan | None:
    # Only for our mode; the built-in naming plugin (trylast) plans every other mode.
    if ctx.mode != MODE or item.identity is None or ctx.dest_dir is None:
        return None
    return Plan(destination=ctx.dest_dir / flat_name(item), folder=ctx.dest_dir)


@hookimpl
def shelver_place(item: Item, plan: Plan | None, ctx: RunContext) -> Placement | None:
    if ctx.mode != MODE or plan is None:
        return None  # another mode: not ours to answer
    try:
        # Journaled and crash-safe; the copy is written under a temp name and linked into place.
        placed = place_file(ctx.state, ctx.run_id, item.item_id, item.path, plan.destination,
                            "copy")
    except DestinationExists:
        return Placement(path=item.path, status=Status.DUPLICATE, mode=MODE,
                         note=f"{plan.destination} already exists")
    return Placement(path=placed, status=Status.ORGANISED, mode=MODE)


@hookimpl
def shelver_item_done(item: Item, ctx: RunContext) -> None:
    path = log_path(ctx)
    if path is None:
        return
    record = {
        "source": str(item.source),
        "status": item.status.value if item.status else None,
        "identity": item.identity.key() if item.identity else None,
        "path": str(item.path),
        "run_id": ctx.run_id,
    }
    with _log_lock, open(path, "a", encoding="utf-8") as log_file:
        log_file.write(json.dumps(record, ensure_ascii=False) + "\n")
