"""``shelver demo``: the real job, offline.

Builds a sample downloads folder of real (tiny) video files in release-name folders, serves the
bundled TMDB snapshot on loopback, runs shelver over it with an ordinary profile, and prints the
library it made.
"""

from __future__ import annotations

import json
import os
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
    from shelver.testing.media import make_video

    video_exts = (".mkv", ".mp4", ".m4v", ".avi", ".mov", ".ts", ".webm")
    for seed, entry in enumerate(entries):
        target = downloads / entry["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.suffix.lower() in video_exts and entry.get("duration"):
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


def run_demo(keep: Path | None) -> int:
    from shelver.cli import open_profile, run_engine
    from shelver.plugins.tmdb.fake.tmdb_server import FakeTMDB

    workdir = Path(keep).absolute() if keep else Path(tempfile.mkdtemp(prefix="shelver-demo-"))
    downloads, library = workdir / "downloads", workdir / "library"
    if library.exists() and any(library.iterdir()):
        raise click.ClickException(f"{library} is not empty: give --keep a new folder")
    entries = demo_entries()
    build_downloads(downloads, entries)
    click.echo(f"sample downloads: {len(entries)} files in {downloads}", err=True)
    with FakeTMDB() as server:
        # The demo's own key: a real key in the environment must not be sent to the fake.
        os.environ["TMDB_API_KEY"] = server.api_key
        os.environ.pop("TMDB_READ_TOKEN", None)
        profile_path = workdir / "demo.toml"
        profile_path.write_text(
            "\n".join([
                'name = "demo"', 'mode = "inplace"', 'action = "move"',
                'sources = ["downloads"]', 'dest_dir = "library"', 'state_db = "state.db"',
                "[filters]", "min_size_mb = 0", "[tmdb]", f'base_url = "{server.base_url}"', "",
            ]), encoding="utf-8")
        click.echo(f"TMDB snapshot served at {server.base_url}; profile {profile_path}", err=True)
        profile, pm, state = open_profile(str(profile_path))
        status = run_engine(profile, pm, state, [downloads], mode=None, dry_run=False, as_json=False)
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
    return int(status)


def serve_demo(keep: Path | None, port: int) -> int:
    """``shelver demo --serve``: the bundled TMDB snapshot on loopback until Ctrl-C, with a
    ready-to-use profile, to try shelver offline on one's own files (README, "Offline")."""
    import signal
    import time

    from shelver.plugins.tmdb.fake.tmdb_server import FakeTMDB

    workdir = Path(keep).absolute() if keep else Path(tempfile.mkdtemp(prefix="shelver-offline-"))
    workdir.mkdir(parents=True, exist_ok=True)
    # TMDB_API_KEY / TMDB_READ_TOKEN in the environment win over a profile's key: the look-alike
    # accepts them, so an exported real key works too (it never leaves this machine).
    server = FakeTMDB(api_key=os.environ.get("TMDB_API_KEY") or "demo-key",
                      read_token=os.environ.get("TMDB_READ_TOKEN") or "demo-token", port=port)
    try:
        server.start()
    except OSError as exc:
        raise click.ClickException(f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}") from None
    snippet = f'[tmdb]\nbase_url = "{server.base_url}"\napi_key = "demo-key"\n'
    profile_path = workdir / "offline.toml"
    profile_path.write_text("\n".join([
        'name = "offline"', 'mode = "inplace"',
        'action = "copy"  # your files stay where they are', 'sources = []',
        f'dest_dir = "{workdir / "library"}"', f'state_db = "{workdir / "state.db"}"', "",
        snippet]), encoding="utf-8")
    catalogue = server.catalogue
    click.echo(f"TMDB snapshot ({len(catalogue.movies)} movies, {len(catalogue.shows)} shows) "
               f"served at {server.base_url} until Ctrl-C")
    click.echo(f"profile: {profile_path} (copies into {workdir / 'library'})")
    click.echo(f"  try: shelver run PATH -p {profile_path} --dry-run")
    click.echo("or add this to a profile of your own:")
    click.echo(snippet, nl=False)
    click.echo("(only titles in the snapshot are recognised; the rest wait in review)")
    sys.stdout.flush()

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        server.stop()
    return 0
