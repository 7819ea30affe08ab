"""``shelver notify test [-p PROFILE]``: a test refresh and a test notification to every
configured target, each one's answer printed (docs/media-servers.md, "Trying it")."""

from __future__ import annotations

import sys

import click
from shelver.api import profile_option


def register_commands(cli: click.Group) -> None:
    @cli.group("notify")
    def notify_group() -> None:
        """Media servers and notifications."""

    @notify_group.command("test")
    @profile_option
    def test_command(profile_name: str | None) -> None:
        """Send a test refresh and a test notification to every configured target."""
        from shelver.api import Change, RunContext, open_profile, send_now

        profile, pm, state = open_profile(profile_name)
        try:
            ctx = RunContext(profile=profile, state=state, pm=pm, run_id=0, mode=profile.mode)
            folder = profile.dest_dir or (profile.sources[0] if profile.sources else None)
            changes = [Change(str(folder), "modified")] if folder is not None else []
            summary = {"run": None, "profile": profile.name, "command": "notify test",
                       "mode": profile.mode, "status": "test", "counts": {}, "items": [],
                       "review": [], "test": True}
            outcomes = send_now(ctx, changes, summary)
        finally:
            state.close()
        if not outcomes:
            click.echo(f"profile {profile.name!r} has no media server or notification configured "
                       f"([plex], [jellyfin], [emby], [kodi] url; [webhook] url; [notify] urls: "
                       f"docs/media-servers.md)")
            return
        for delivery, answer, error in outcomes:
            if error is None:
                click.echo(f"{delivery.target}: {delivery.label}: {answer}")
            else:
                click.echo(f"{delivery.target}: {delivery.label}: FAILED: {error}")
        if any(error is not None for _d, _a, error in outcomes):
            sys.exit(1)
