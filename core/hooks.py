"""``shelver hook CLIENT ...``: the downloaders' entry point.

The hook writes a durable job (the file goes into the state DB queue at CRITICAL priority) and
returns when a daemon of the profile is alive; otherwise it processes the job itself, so a
download is organised whether or not ``shelver watch`` runs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

CLIENTS = ("generic",)


def hook_paths(client: str, args: list[str]) -> list[Path]:
    """The paths a client's invocation names (``generic PATH...``)."""
    if client != "generic":
        raise click.UsageError(f"unknown client {client!r} (known: {', '.join(CLIENTS)})")
    if not args:
        raise click.UsageError("shelver hook generic needs at least one PATH")
    return [Path(arg) for arg in args]


def run_hook(client: str, args: list[str], profile_name: str | None, *, enqueue_only: bool) -> int:
    from shelver.cli import open_profile, run_engine
    from shelver.discovery import Filters, walk
    from shelver.model import Priority

    paths = [p.absolute() for p in hook_paths(client, args)]
    profile, pm, state = open_profile(profile_name)
    filters = Filters(profile)
    queued = 0
    for path in paths:
        if not path.exists():
            click.echo(f"shelver: {path}: no such file or folder", err=True)
            continue
        for _directory, files in walk(str(path), filters):
            for found in files:
                if found.video:
                    state.observe(found.path, found.size, found.mtime, found.inode, profile.name,
                                  priority=Priority.CRITICAL, force=True)
                    queued += 1
    if enqueue_only or state.daemon_alive(profile.name):
        state.close()
        click.echo(f"shelver: queued {queued} file(s) for profile {profile.name}")
        return 0
    return run_engine(profile, pm, state, [p for p in paths if p.exists()], mode=None,
                      dry_run=False, as_json=False, command=f"hook {client}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run_hook(sys.argv[1], sys.argv[2:], os.environ.get("SHELVER_PROFILE"), enqueue_only=False))
