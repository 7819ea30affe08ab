"""``shelver demo``: the real job, offline.

Builds a sample downloads folder of real (tiny) video files in release-name folders, starts the
plugins' offline stand-ins (hook ``shelver_demo_services``: a provider's look-alike on loopback),
runs shelver over it with an ordinary profile, and prints the library it made.
"""

from __future__ import annotations

import contextlib
import json
import sys
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

import click


def demo_entries() -> list[dict[str, Any]]:
    text = resources.files("shelver.testing").joinpath("demo_downloads.json").read_text("utf-8")
    data = json.loads(text)
    return list(data["entries"] if isinstance(data, dict) else data)


def build_downloads(downloads: Path, entries: list[dict[str, Any]]) -> None:
    """Create every entry under ``downloads``: videos with their real durations, other files
    with a little text."""
    from shelver.discovery import VIDEO_EXTENSIONS
    from shelver.testing.media import make_video

    for seed, entry in enumerate(entries):
        target = downloads / entry["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.suffix.lower() in VIDEO_EXTENSIONS and entry.get("duration"):
            make_video(target, float(entry["duration"]), seed=seed)
        elif target.suffix.lower() == ".srt":
            target.write_text("1\n00:00:01,000 --> 00:00:03,000\nHello.\n", encoding="utf-8")
        else:
            target.write_text(f"{target.name}\n", encoding="utf-8")


def print_tree(root: Path) -> None:
    """The library as a tree, folders first."""
    click.echo(f"{root}/")

    def branch(folder: Path, prefix: str) -> None:
        entries = sorted(folder.iterdir(), key=lambda p: (p.is_file(), p.name))
        for index, entry in enumerate(entries):
            last = index == len(entries) - 1
            click.echo(f"{prefix}{'└── ' if last else '├── '}{entry.name}{'/' if entry.is_dir() else ''}")
            if entry.is_dir():
                branch(entry, prefix + ("    " if last else "│   "))

    if root.is_dir():
        branch(root, "")


def start_services(stack: contextlib.ExitStack, *, serve: bool, port: int = 0) -> list[Any]:
    """Every plugin's offline stand-ins (``shelver_demo_services``), stopped when ``stack``
    closes; a stand-in that cannot start is a one-line error."""
    from shelver.errors import ShelverError
    from shelver.manager import get_plugin_manager

    try:
        answers = get_plugin_manager().hook.shelver_demo_services(stack=stack, serve=serve,
                                                                  port=port)
    except ShelverError as exc:
        raise click.ClickException(str(exc)) from None
    return [answer for answer in answers if answer is not None]


def settings_toml(services: list[Any]) -> str:
    """The profile sections the stand-ins asked for, as TOML."""
    import tomli_w

    sections: dict[str, dict[str, Any]] = {}
    for service in services:
        for section, keys in service.settings.items():
            sections.setdefault(section, {}).update(keys)
    return tomli_w.dumps(sections)


# ``shelver demo --web``: two more downloads the sample catalogue cannot tell apart (two shows go
# by each title, years apart): they wait for review with their candidates.
FOR_REVIEW = [{"path": "Battlestar.Galactica.S01E01.720p.BluRay.x264-GRP.mkv", "duration": 2700},
              {"path": "The.Office.S02E03.720p.WEB-DL.x264-GRP.mkv", "duration": 1320}]


def run_demo(keep: Path | None, web: bool = False) -> int:
    """The demo; with ``web``, a few files more are left for review and the plugins' services
    for ``--web`` (the web UI) serve the result on loopback until Ctrl-C."""
    from shelver.console import open_profile, run_engine

    workdir = Path(keep).absolute() if keep else Path(tempfile.mkdtemp(prefix="shelver-demo-"))
    downloads, library = workdir / "downloads", workdir / "library"
    if library.exists() and any(library.iterdir()):
        raise click.ClickException(f"{library} is not empty: give --keep a new folder")
    entries = demo_entries() + (FOR_REVIEW if web else [])
    build_downloads(downloads, entries)
    click.echo(f"sample downloads: {len(entries)} files in {downloads}", err=True)
    with contextlib.ExitStack() as stack:
        services = start_services(stack, serve=False)
        profile_path = workdir / "demo.toml"
        profile_path.write_text(
            "\n".join([
                'name = "demo"', 'mode = "inplace"', 'action = "move"',
                'sources = ["downloads"]', 'dest_dir = "library"', 'state_db = "state.db"',
                "[filters]", "min_size_mb = 0", *(["[web]", "port = 0"] if web else []),
                settings_toml(services),
            ]), encoding="utf-8")
        click.echo("; ".join([*(s.note for s in services), f"profile {profile_path}"]), err=True)
        profile, pm, state = open_profile(str(profile_path))
        status = run_engine(profile, pm, state, [downloads], mode=None, dry_run=False, as_json=False)
        if web:
            _report(downloads, library, workdir, profile_path, keep)
            serve_until_interrupted(pm, profile)
            return int(status)
    _report(downloads, library, workdir, profile_path, keep)
    return int(status)


def _report(downloads: Path, library: Path, workdir: Path, profile_path: Path,
            keep: Path | None) -> None:
    click.echo("")
    print_tree(library)
    left = sorted(str(p.relative_to(downloads)) for p in downloads.rglob("*") if p.is_file())
    if left:
        click.echo("\nleft in downloads (not organised, by rule): " + ", ".join(left))
    click.echo(f"\nthe demo library is in {library} (downloads {downloads}, profile "
               f"{profile_path}); " + ("it stays there" if keep else
                                      f"delete {workdir} when done, or choose the folder with "
                                      f"`shelver demo --keep DIR`"))
    sys.stdout.flush()


def serve_until_interrupted(pm: Any, profile: Any) -> None:
    """``shelver demo --web``: the services plugins run for ``--web`` (hook
    ``shelver_watch_services``: the web UI, which prints its URL) until Ctrl-C."""
    import signal

    import trio

    services = [s for s in pm.hook.shelver_watch_services(profile=profile, options={"web": True})
                if s]
    if not services:
        raise click.ClickException("--web: no plugin serves a web UI (the web plugin is disabled)")

    async def main() -> None:
        with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
            async with trio.open_nursery() as nursery:
                for service in services:
                    await nursery.start(service)
                click.echo("the web UI serves the demo until Ctrl-C", err=True)
                async for _signum in signals:
                    break
                nursery.cancel_scope.cancel()

    trio.run(main)
    click.echo("stopped", err=True)


def serve_demo(keep: Path | None, port: int) -> int:
    """``shelver demo --serve``: the plugins' offline stand-ins until Ctrl-C, with a ready-to-use
    profile, to try shelver offline on one's own files (README, "Offline")."""
    import signal
    import time

    workdir = Path(keep).absolute() if keep else Path(tempfile.mkdtemp(prefix="shelver-offline-"))
    workdir.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        services = start_services(stack, serve=True, port=port)
        snippet = settings_toml(services)
        profile_path = workdir / "offline.toml"
        profile_path.write_text("\n".join([
            'name = "offline"', 'mode = "inplace"',
            'action = "copy"  # your files stay where they are', 'sources = []',
            f'dest_dir = "{workdir / "library"}"', f'state_db = "{workdir / "state.db"}"', "",
            snippet]), encoding="utf-8")
        def stop(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        # Ctrl-C and SIGTERM stop it, whatever was inherited: a shell that starts a command in
        # the background (`shelver demo --serve &`) starts it with SIGINT ignored.
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        for service in services:
            click.echo(f"{service.note} until Ctrl-C")
        click.echo(f"profile: {profile_path} (copies into {workdir / 'library'})")
        click.echo(f"  try: shelver run PATH -p {profile_path} --dry-run")
        if snippet:
            click.echo("or add this to a profile of your own:")
            click.echo(snippet, nl=False)
        for service in services:
            if service.hint:
                click.echo(service.hint)
        sys.stdout.flush()

        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            click.echo("stopped", err=True)
    return 0
