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
    from shelver.testing.tmdb_server import FakeTMDB

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
    sys.stdout.flush()
    return int(status)
