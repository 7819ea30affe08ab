"""The ``shelver`` command line.

Heavy modules (trio, the plugins, TMDB, PyAV) are imported inside commands, never at the top:
``shelver hook`` is called by downloaders for every finished download and must start fast.
Exit status: 0 every item handled, 1 one or more items failed, 2 usage or configuration error,
130 a run stopped by Ctrl-C.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}


class ConfigProblem(click.ClickException):
    """A usage or configuration error: exit status 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"shelver: error: {self.format_message()}", err=True)


# The exit status of a run stopped by Ctrl-C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED = 130


class ShelverGroup(click.Group):
    """Built-in commands resolve without loading plugins; plugin commands load them on demand."""

    def _plugin_commands(self) -> None:
        if getattr(self, "_plugins_loaded", False):
            return
        self._plugins_loaded = True
        from shelver.manager import get_plugin_manager

        pm = get_plugin_manager()
        owners: dict[str, str] = {name: "shelver" for name in self.commands}
        # Each plugin registers on a scratch group, so a name taken twice is caught and named.
        for plugin_name, plugin in pm.list_name_plugin():
            if plugin is None:
                continue
            others = [p for _n, p in pm.list_name_plugin() if p is not None and p is not plugin]
            caller = pm.subset_hook_caller("shelver_register_commands", remove_plugins=others)
            scratch = click.Group()
            caller(cli=scratch)
            for name, command in scratch.commands.items():
                if name in owners:
                    raise click.ClickException(
                        f"plugin {plugin_name!r} registers the command {name!r}, "
                        f"already provided by {owners[name]!r}")
                owners[name] = plugin_name
                self.add_command(command, name)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None:
            self._plugin_commands()
            command = super().get_command(ctx, cmd_name)
        return command

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._plugin_commands()
        return super().list_commands(ctx)


def profile_option(fn: Any) -> Any:
    return click.option("-p", "--profile", "profile_name", metavar="PROFILE",
                        help="Profile name or path (default: 'default' if it exists).")(fn)


@click.group(cls=ShelverGroup, context_settings=CONTEXT_SETTINGS)
@click.option("-v", "--verbose", count=True, help="More output on stderr (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
@click.version_option(package_name="shelver")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """Put video files on the right shelf: identify with TMDB, rename, move, describe."""
    from shelver import logs

    logs.setup(-1 if quiet else verbose)
    ctx.obj = {"verbosity": -1 if quiet else verbose}


def open_profile(profile_name: str | None) -> tuple[Any, Any, Any]:
    """Profile, plugin manager and state DB, with configuration errors turned into exit 2."""
    from shelver.errors import ConfigError
    from shelver.profiles import load_with_plugins, state_migrations
    from shelver.state import StateDB

    try:
        profile, pm = load_with_plugins(profile_name)
        state = StateDB(profile.state_db, state_migrations(pm))
    except ConfigError as exc:
        raise ConfigProblem(str(exc)) from None
    for message in pm.load_errors:
        click.echo(f"shelver: warning: {message}", err=True)
    return profile, pm, state


def _human_line(result: dict[str, Any]) -> str:
    from shelver.discovery import printable

    result = {k: printable(v) if isinstance(v, str) else v for k, v in result.items()}
    status = result["status"]
    target = result.get("destination") or result.get("error") or result.get("reason") or ""
    return f"{status:<10} {result['source']}" + (f"\n           -> {target}" if target else "")


def run_engine(profile: Any, pm: Any, state: Any, paths: list[Path], *, mode: str | None,
               dry_run: bool, as_json: bool, command: str = "run",
               before_work: Any = None) -> int:
    """Run the engine once over ``paths`` and print results; returns the exit status."""
    import trio
    from shelver.discovery import valid_name
    from shelver.engine import Engine
    from shelver.errors import ConfigError, ShelverError

    progress = _progress(as_json)

    def on_result(result: dict[str, Any]) -> None:
        if as_json:
            line = json.dumps(result, ensure_ascii=False)
            if not valid_name(line):
                line = json.dumps(result)  # a name with undecodable bytes: \udcNN escapes
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
        elif progress is None:
            click.echo(_human_line(result))
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
            with progress[0]:
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
    if progress is not None and not as_json:
        for result in engine.results:
            click.echo(_human_line(result))
    _summary(engine.results)
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
                        console=Console(stderr=True), transient=True)
    return progress, progress.add_task("starting", total=None)


def _summary(results: list[dict[str, Any]]) -> None:
    counts: dict[str, int] = {}
    for result in results:
        counts[result["status"]] = counts.get(result["status"], 0) + 1
    if counts:
        text = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        click.echo(f"shelver: {len(results)} file(s): {text}", err=True)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@profile_option
@click.option("--mode", help="Processing mode for this run (overrides the profile).")
@click.option("--dry-run", is_flag=True, help="Identify and plan, but move and write nothing.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per input file on stdout.")
def run(paths: tuple[Path, ...], profile_name: str | None, mode: str | None, dry_run: bool,
        as_json: bool) -> None:
    """Process PATHS (default: the profile's sources) once, then exit."""
    profile, pm, state = open_profile(profile_name)
    sys.exit(run_engine(profile, pm, state, list(paths), mode=mode, dry_run=dry_run, as_json=as_json))


@cli.command()
@profile_option
def watch(profile_name: str | None) -> None:
    """Watch the profile's sources and process files as they arrive, until SIGINT/SIGTERM."""
    import trio
    from shelver.engine import Engine
    from shelver.errors import ConfigError
    from shelver.locks import ProfileLock

    profile, pm, state = open_profile(profile_name)
    if not profile.sources:
        raise ConfigProblem(f"watch needs sources ({profile.where('sources')})")
    try:
        with ProfileLock(profile):
            engine = Engine(profile, pm, state, command="watch")
            trio.run(engine.serve)
    except ConfigError as exc:
        raise ConfigProblem(str(exc)) from None
    finally:
        state.close()


@cli.command()
@profile_option
@click.option("--refresh", "kind", flag_value="refresh", help="Re-fetch metadata of stale items.")
@click.option("--full", "kind", flag_value="full", help="Re-identify everything, ignoring caches.")
@click.option("--json", "as_json", is_flag=True)
def scan(profile_name: str | None, kind: str | None, as_json: bool) -> None:
    """Enqueue a scan of the profile's sources (quick unless --refresh or --full)."""
    from shelver.scans import enqueue_scan

    profile, pm, state = open_profile(profile_name)
    try:
        counts = enqueue_scan(profile, pm, state, kind or "quick")
    finally:
        state.close()
    if as_json:
        click.echo(json.dumps({"scan": kind or "quick", **counts}))
    else:
        click.echo(f"{kind or 'quick'} scan: {counts['enqueued']} item(s) enqueued")


@cli.command()
@profile_option
@click.option("--json", "as_json", is_flag=True)
def status(profile_name: str | None, as_json: bool) -> None:
    """Counts per state, the queue, recent errors, running instances."""
    from shelver.scans import progress_lines, status_report

    profile, pm, state = open_profile(profile_name)
    try:
        report = status_report(profile, state)
    finally:
        state.close()
    from shelver.plugins.tmdb.ratelimit import active_block

    report["tmdb_block"] = active_block(profile.state_db)  # a Retry-After every run waits for
    if as_json:
        click.echo(json.dumps(report))
        return
    click.echo(f"profile {report['profile']}   state DB {report['state_db']}")
    click.echo("items:   " + (", ".join(f"{k} {v}" for k, v in sorted(report["states"].items())) or "none"))
    click.echo(f"queue:   {report['queued']}")
    for line in progress_lines(report):
        click.echo(line)
    if (block := report["tmdb_block"]) is not None:
        left = "no end set" if block["seconds_left"] is None else f"{block['seconds_left']:.0f} s left"
        click.echo(f"tmdb:    rate-limited by TMDB (Retry-After): every run waits, {left}")
    for inst in report["instances"]:
        click.echo(f"daemon:  {inst['profile']} pid {inst['pid']} on {inst['host']} "
                   f"({'alive' if inst['alive'] else 'not responding'})")
    for error in report["errors"]:
        click.echo(f"error:   {error['path']}: {error['last_error']}")


@cli.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False,
                               "help_option_names": []}, add_help_option=False)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def hook(ctx: click.Context, args: tuple[str, ...]) -> None:
    """Downloader entry point: [-p PROFILE] [--enqueue-only] CLIENT [--] [ARGS...]."""
    # `shelver hook` normally never gets here: main() hands it to the fast path before click
    # parses anything. This keeps it listed in --help and working when cli() is called directly.
    from shelver.fastpath import hook_main

    sys.exit(hook_main(list(args), verbosity=(ctx.obj or {}).get("verbosity", 0)))


@cli.command()
@profile_option
@click.option("--json", "as_json", is_flag=True)
def plugins(profile_name: str | None, as_json: bool) -> None:
    """List every plugin with the hooks it implements."""
    from shelver.errors import ConfigError
    from shelver.manager import describe_plugins
    from shelver.profiles import load_with_plugins

    try:
        _profile, pm = load_with_plugins(profile_name)
    except ConfigError as exc:
        raise ConfigProblem(str(exc)) from None
    described = describe_plugins(pm)
    for message in pm.load_errors:
        click.echo(f"shelver: warning: {message}", err=True)
    if as_json:
        for entry in described:
            click.echo(json.dumps(entry))
        return
    for entry in described:
        click.echo(f"{entry['name']}  ({entry['origin']})")
        click.echo("    " + ", ".join(entry["hooks"]))
    for message in pm.load_errors:
        click.echo(f"failed: {message}")


@cli.group()
def profile() -> None:
    """Create and check profiles."""


@profile.command("init")
@click.argument("name")
@click.option("--source", "sources", multiple=True, type=click.Path(path_type=Path))
@click.option("--dest", "dest_dir", type=click.Path(path_type=Path), help="The library folder.")
@click.option("--mode", default="inplace", show_default=True)
@click.option("--output", type=click.Path(path_type=Path),
              help="Where to write it (default: the user's profiles folder).")
@click.option("--force", is_flag=True, help="Overwrite an existing profile.")
def profile_init(name: str, sources: tuple[Path, ...], dest_dir: Path | None, mode: str,
                 output: Path | None, force: bool) -> None:
    """Write a new profile NAME with tomli-w."""
    import tomli_w
    from shelver.paths import config_home

    target = output or config_home() / "profiles" / f"{name}.toml"
    if target.exists() and not force:
        raise ConfigProblem(f"{target} exists (use --force to overwrite)")
    data: dict[str, Any] = {
        "name": name, "mode": mode, "action": "move", "conflict": "skip",
        "sources": [str(s.expanduser().absolute()) for s in sources],
        "watch": {"settle_seconds": 30, "sweep_interval": 900},
        "filters": {"min_size_mb": 50},
        "tmdb": {"api_key": "", "min_confidence": 0.75, "rate": "35/10s"},
    }
    if dest_dir:
        data["dest_dir"] = str(dest_dir.expanduser().absolute())
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(tomli_w.dumps(data), encoding="utf-8")
    click.echo(f"wrote {target}; set tmdb.api_key there or export TMDB_API_KEY")


@profile.command("check")
@profile_option
@click.option("--json", "as_json", is_flag=True)
def profile_check(profile_name: str | None, as_json: bool) -> None:
    """Validate a profile and print its resolved settings (secrets hidden)."""
    from shelver.errors import ConfigError
    from shelver.profiles import check_profile, load_with_plugins

    try:
        prof, pm = load_with_plugins(profile_name)
        check_profile(prof, pm)
    except ConfigError as exc:
        raise ConfigProblem(str(exc)) from None
    data = json.loads(json.dumps(prof.data, default=str))
    for section in data.values():
        if isinstance(section, dict):
            for key in ("api_key", "read_token"):
                if section.get(key):
                    section[key] = "***"
    if as_json:
        click.echo(json.dumps({"profile": prof.name, "path": str(prof.path) if prof.path else None,
                               "settings": data}))
    else:
        click.echo(f"profile {prof.name} ({prof.path or 'built-in defaults'}) is valid")
        click.echo(json.dumps(data, indent=2))


@cli.group(invoke_without_command=True)
@profile_option
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def review(ctx: click.Context, profile_name: str | None, as_json: bool) -> None:
    """List files waiting for a person, with their candidates (accept / set to decide)."""
    ctx.obj = {**(ctx.obj or {}), "profile": profile_name}
    if ctx.invoked_subcommand is not None:
        return
    from shelver.review import review_items

    profile, _pm, state = open_profile(profile_name)
    try:
        items = review_items(state, profile.name)
    finally:
        state.close()
    for entry in items:
        if as_json:
            click.echo(json.dumps(entry, ensure_ascii=False))
            continue
        parsed = entry["parsed"]
        click.echo(f"#{entry['item']}  {entry['path']}")
        click.echo(f"     read as: {parsed.get('title')!r} {parsed.get('year') or ''} "
                   f"{'S{}E{}'.format(parsed.get('season'), parsed.get('episodes')) if parsed.get('season') is not None else ''}")
        for number, candidate in enumerate(entry["candidates"], 1):
            click.echo(f"     {number}. {candidate.get('type')}/{candidate.get('id')}  "
                       f"{candidate.get('title')} ({candidate.get('year')})  score {candidate.get('score')}")
        if not entry["candidates"]:
            click.echo("     no candidates: use `shelver review set`")
    if not items and not as_json:
        click.echo("nothing waits for review")


def _decide(profile_name: str | None, item: str, identity_of: Any) -> None:
    """Check everything first (the item waits for review, the identity, the profile and, when
    no daemon will apply it, the run's own start: credentials), then record the choice."""
    from shelver.errors import ConfigError
    from shelver.profiles import check_profile
    from shelver.review import check_waiting, decide, describe_identity, find_item

    profile, pm, state = open_profile(profile_name)
    try:
        row = find_item(state, item)
        check_waiting(row)
        identity = identity_of(row)
        check_profile(profile, pm)
        daemon = state.daemon_alive(profile.name)
        if daemon:
            decide(state, row, identity, profile.name)
    except ConfigError as exc:
        state.close()
        raise ConfigProblem(str(exc)) from None
    chosen = f"item {row['id']}: {describe_identity(identity)}"
    if daemon:
        state.close()
        click.echo(f"{chosen}: queued for the running daemon of {profile.name}", err=True)
        return

    def record() -> None:  # once the run has started (credentials checked)
        decide(state, row, identity, profile.name)
        click.echo(chosen, err=True)

    sys.exit(run_engine(profile, pm, state, [Path(row["path"])], mode=None, dry_run=False,
                        as_json=False, command="review", before_work=record))


@review.command("accept")
@click.argument("item")
@click.argument("number", type=int, default=1)
@click.option("--season", type=int)
@click.option("--episode", "episodes", type=int, multiple=True)
@click.pass_context
def review_accept(ctx: click.Context, item: str, number: int, season: int | None,
                  episodes: tuple[int, ...]) -> None:
    """Accept candidate NUMBER (default 1) for ITEM (its number or path) and process it."""
    from shelver.review import accept_candidate

    _decide(ctx.obj.get("profile"), item,
            lambda row: accept_candidate(row, number, season, list(episodes)))


@review.command("set")
@click.argument("item")
@click.option("--tmdb", "tmdb", required=True, help="movie/ID or tv/ID")
@click.option("--season", type=int)
@click.option("--episode", "episodes", type=int, multiple=True)
@click.pass_context
def review_set(ctx: click.Context, item: str, tmdb: str, season: int | None,
               episodes: tuple[int, ...]) -> None:
    """Set ITEM's identity by hand (--tmdb movie/603, or --tmdb tv/1396 --season 5 --episode 14)."""
    from shelver.review import parse_identity, parsed_name

    _decide(ctx.obj.get("profile"), item,
            lambda row: parse_identity(tmdb, season, list(episodes), parsed_name(row)))


@cli.command()
@click.option("--keep", type=click.Path(path_type=Path), help="Build the demo in this folder and keep it.")
def demo(keep: Path | None) -> None:
    """Offline demo: sample downloads, a bundled TMDB snapshot on loopback, a real run."""
    from shelver.demo import run_demo

    sys.exit(run_demo(keep))


def main() -> None:
    """The ``shelver`` console script (``shelver.entry:main`` dispatches here for all but hook)."""
    from shelver.entry import main as entry_main

    entry_main()


if __name__ == "__main__":  # pragma: no cover
    main()
