"""A run as a person sees it on a terminal: one line per file, a progress bar, a summary, and
the errors that end a command with exit status 2. Used by :mod:`shelver.cli` and
:mod:`shelver.demo`.

Exit status: 0 every item handled, 1 one or more items failed, 2 usage or configuration error,
130 a run stopped by Ctrl-C.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from shelver.errors import EXIT_INTERRUPTED


class ConfigProblem(click.ClickException):
    """A usage or configuration error: exit status 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        from shelver.discovery import printable  # a path in the message: one line, escaped

        click.echo(f"shelver: error: {printable(self.format_message())}", err=True)


class UsageProblem(ConfigProblem):
    """Bad input on the command line: ``shelver: error: MESSAGE``, exit status 2."""


def open_profile(profile_name: str | None) -> tuple[Any, Any, Any]:
    """Profile, plugin manager and state DB (:func:`shelver.app.open_app`), with configuration
    errors turned into exit 2. A plugin that cannot be used is named on stderr once, by the
    plugin manager's warning (shelver.manager)."""
    from shelver.app import open_app
    from shelver.errors import ConfigError

    try:
        app = open_app(profile_name)
    except ConfigError as exc:
        raise ConfigProblem(str(exc)) from None
    return app.profile, app.pm, app.state


# What a dry run says instead of each status (docs/operations.md, "Output").
DRY_RUN_WORDS = {"organised": "would organise", "metadata": "would describe",
                 "extra": "would shelve as extra", "duplicate": "would skip as duplicate"}
DRY_RUN_SUMMARY = {"organised": "would be organised", "metadata": "would be described",
                   "extra": "would be shelved as extras", "duplicate": "would be skipped as duplicates"}


def _human_line(result: dict[str, Any], *, dry_run: bool = False) -> str:
    """``STATUS SOURCE`` then ``-> DESTINATION`` on a second line, or ``STATUS SOURCE: REASON``."""
    from shelver.discovery import printable

    result = {k: printable(v) if isinstance(v, str) else v for k, v in result.items()}
    status, source = result["status"], result["source"]
    word = DRY_RUN_WORDS.get(status, status) if dry_run else status
    reason = result.get("error") or result.get("reason") or ""
    destination = result.get("destination") or ""
    if reason or not destination or destination == source:
        if reason.startswith(f"{source}: "):  # "PATH: no such file or folder"
            reason = reason[len(source) + 2:]
        return f"{word:<10} {source}" + (f": {reason}" if reason else "")
    return f"{word:<10} {source}\n           -> {destination}"


def run_engine(profile: Any, pm: Any, state: Any, paths: list[Path], *, mode: str | None,
               dry_run: bool, as_json: bool, command: str = "run",
               before_work: Any = None) -> int:
    """Run the engine once over ``paths`` and print results; returns the exit status."""
    import trio
    from shelver import logs
    from shelver.discovery import valid_name
    from shelver.engine import Engine
    from shelver.errors import ConfigError, ShelverError

    progress = _progress(as_json)
    to_terminal = sys.stdout.isatty()

    def on_result(result: dict[str, Any]) -> None:
        if as_json:
            line = json.dumps(result, ensure_ascii=False)
            if not valid_name(line):
                line = json.dumps(result)  # a name with undecodable bytes: \udcNN escapes
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
        elif progress is not None and to_terminal:
            # Above the bar, as each file finishes (stdout and the bar share the terminal).
            progress[0].console.print(_human_line(result, dry_run=dry_run), markup=False,
                                      highlight=False, soft_wrap=True)
        else:
            click.echo(_human_line(result, dry_run=dry_run))
        if progress is not None:
            progress[0].update(progress[1], advance=1, description=result["status"])

    engine: Engine | None = None
    left = 0
    try:
        engine = Engine(profile, pm, state, mode=mode, dry_run=dry_run, command=command,
                        on_result=on_result,
                        on_total=(lambda total: progress[0].update(progress[1], total=total))
                        if progress is not None else None)
        engine.before_work = before_work
        if progress is not None:
            # Log lines go through the bar's console: printed above it, never over it.
            with progress[0], logs.via_console(progress[0].console):
                trio.run(engine.run, paths)
        else:
            trio.run(engine.run, paths)
    except KeyboardInterrupt:
        if engine is not None:
            engine.interrupted = True
    except ConfigError as exc:
        raise ConfigProblem(str(exc)) from None
    except ShelverError as exc:
        # Nothing was touched (e.g. TMDB unreachable at start): say so, exit 1, retry later.
        click.echo(f"shelver: error: {exc}; nothing was changed", err=True)
        return 1
    finally:
        if engine is not None and engine.interrupted:
            left = engine.left_queued()
        state.close()
    if engine is None:
        return EXIT_INTERRUPTED  # Ctrl-C before anything started
    _summary(engine.results, dry_run=dry_run)
    if engine.interrupted:
        placed = sum(r["status"] in ("organised", "metadata") for r in engine.results)
        click.echo(f"interrupted: {placed} placed, {left} left queued; run again to continue",
                   err=True)
        return EXIT_INTERRUPTED
    return int(engine.exit_status())


def _progress(as_json: bool) -> Any:
    if not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    progress = Progress(SpinnerColumn(), MofNCompleteColumn(), BarColumn(),
                        TextColumn("{task.description}"), TimeElapsedColumn(),
                        TextColumn("ETA"), TimeRemainingColumn(),
                        console=Console(stderr=True), transient=True,
                        redirect_stdout=False, redirect_stderr=False)
    return progress, progress.add_task("starting", total=None)


def _summary(results: list[dict[str, Any]], *, dry_run: bool = False) -> None:
    counts: dict[str, int] = {}
    for result in results:
        counts[result["status"]] = counts.get(result["status"], 0) + 1
    if counts:
        words = DRY_RUN_SUMMARY if dry_run else {}
        text = ", ".join(f"{n} {words.get(status, status)}" for status, n in sorted(counts.items()))
        click.echo(f"shelver: {len(results)} file(s): {text}"
                   + (" (dry run: nothing moved)" if dry_run else ""), err=True)
