"""The ``shelver`` command line.

Heavy modules (trio, the plugins, TMDB, PyAV) are imported inside commands, never at the top:
``shelver hook`` is called by downloaders for every finished download and must start fast.
Exit status: 0 every item handled, 1 one or more items failed, 2 usage or configuration error,
130 a command stopped by Ctrl-C.

A little over ~400 lines: one command per verb, each with its options, help and output wording
in one place; the work behind them is in :mod:`shelver.app`, :mod:`shelver.console`,
:mod:`shelver.scans` and :mod:`shelver.review`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from shelver.console import (
    ConfigProblem,
    UsageProblem,
    _human_line,
    open_profile,
    run_engine,
)
from shelver.errors import EXIT_INTERRUPTED
from shelver.model import LEGACY_PROVIDER

# Plugins' commands import these from here (shelver.console holds them: the demo shares them).
__all__ = ["EXIT_INTERRUPTED", "ConfigProblem", "UsageProblem", "cli", "open_profile",
           "profile_option", "run_engine"]

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}


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
        if command is not None and cmd_name != "hook":  # hook parses its own arguments
            common_options(command)
        return command

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._plugin_commands()
        return super().list_commands(ctx)

    def invoke(self, ctx: click.Context) -> Any:
        # Ctrl-C in a command that does not handle it itself (explain, review set, a plugin's
        # command...): one line and 130, as a run says it, not click's "Aborted!" and 1, nor
        # the traceback of the trio nursery it reached first (its group holds it).
        from shelver.errors import ConfigError, user_facing

        try:
            return super().invoke(ctx)
        except (KeyboardInterrupt, BaseExceptionGroup) as exc:
            shown = user_facing(exc)
            if isinstance(shown, KeyboardInterrupt):
                raise Interrupted() from None
            if isinstance(shown, ConfigError):
                raise ConfigProblem(str(shown)) from None
            raise


class Interrupted(click.ClickException):
    """Ctrl-C: exit status 130 (128 + SIGINT)."""

    exit_code = EXIT_INTERRUPTED

    def __init__(self) -> None:
        super().__init__("interrupted")

    def show(self, file: Any = None) -> None:
        click.echo("shelver: interrupted", err=True)


def _set_verbosity(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """Apply -v/-q given after a command name on top of the ones given before it."""
    from shelver import logs

    obj = ctx.find_root().obj if ctx.find_root().obj is not None else {}
    before = obj.get("verbosity", 0)
    verbosity = -1 if quiet or before < 0 else before + verbose
    obj["verbosity"] = verbosity
    logs.setup(verbosity)


def common_options(command: click.Command, *, group_takes_profile: bool = False) -> None:
    """Give ``command`` (and, for a group, its sub-commands) the global -v/-q flags, so they work
    after the command name too (``shelver watch -v``); a sub-command of a group that takes
    ``-p`` gets ``-p`` as well (``shelver review set 3 --id tmdb:movie/603 -p P``), stored in
    ``ctx.obj["profile"]``. Applied to every built-in and plugin command when it is resolved."""
    if getattr(command, "_shelver_common", False):
        return
    command._shelver_common = True  # type: ignore[attr-defined]
    names = {param.name for param in command.params}
    extra: list[click.Parameter] = []
    if not names & {"verbose", "quiet"}:
        extra += [click.Option(["-v", "--verbose", "shelver_verbose"], count=True,
                               help="More output on stderr (-vv for debug)."),
                  click.Option(["-q", "--quiet", "shelver_quiet"], is_flag=True,
                               help="Only errors on stderr.")]
    if group_takes_profile and "profile_name" not in names:
        extra.append(click.Option(["-p", "--profile", "shelver_profile"], metavar="PROFILE",
                                  help="Profile name or path (also accepted before the command)."))
    if extra:
        command.params.extend(extra)
        original = command.callback

        def callback(*args: Any, **kwargs: Any) -> Any:
            verbose = kwargs.pop("shelver_verbose", 0)
            quiet = kwargs.pop("shelver_quiet", False)
            profile_name = kwargs.pop("shelver_profile", None)
            ctx = click.get_current_context()
            if verbose or quiet:
                _set_verbosity(ctx, verbose, quiet)
            if profile_name is not None:
                ctx.obj = ctx.obj if ctx.obj is not None else {}
                ctx.obj["profile"] = profile_name
            return original(*args, **kwargs) if original is not None else None

        command.callback = callback
    if isinstance(command, click.Group):
        takes_profile = "profile_name" in names
        for sub in command.commands.values():
            common_options(sub, group_takes_profile=takes_profile)


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



@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@profile_option
@click.option("--mode", help="Processing mode for this run (overrides the profile).")
@click.option("--dry-run", is_flag=True, help="Identify and plan, but move and write nothing.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per input file on stdout.")
def run(paths: tuple[Path, ...], profile_name: str | None, mode: str | None, dry_run: bool,
        as_json: bool) -> None:
    """Process PATHS (default: the profile's sources) once, then exit."""
    import os

    for path in paths:
        if not os.path.lexists(path):
            raise UsageProblem(f"no such file or folder: {path}")
    profile, pm, state = open_profile(profile_name)
    _check_mode_flag(pm, mode, state)
    sys.exit(run_engine(profile, pm, state, list(paths), mode=mode, dry_run=dry_run, as_json=as_json))


def _check_mode_flag(pm: Any, mode: str | None, state: Any) -> None:
    """``--mode`` names a mode some plugin registered, or the flag is named in the error."""
    from shelver.profiles import registered_modes

    known = registered_modes(pm)
    if mode is not None and mode not in known:
        state.close()
        raise UsageProblem(f"--mode: unknown mode {mode!r} (known: {', '.join(sorted(known))})")


@cli.command()
@profile_option
@click.option("--web", is_flag=True,
              help="Serve the web UI beside the daemon, in its process ([web] host and port).")
def watch(profile_name: str | None, web: bool) -> None:
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
            engine = Engine(profile, pm, state, command="watch",
                            on_result=lambda result: click.echo(_human_line(result)))
            services = _watch_services(pm, profile, {"web": web})
            if (click.get_current_context().find_root().obj or {}).get("verbosity", 0) >= 0:
                click.echo(_watch_banner(profile, engine.mode), err=True)
            trio.run(_serve_with, engine, services)
    except ConfigError as exc:
        raise ConfigProblem(str(exc)) from None
    finally:
        state.close()


def _watch_services(pm: Any, profile: Any, options: dict[str, Any]) -> list[Any]:
    """What plugins run beside the daemon for ``watch``'s flags (``shelver_watch_services``);
    a flag no plugin answers is a usage error."""
    if not any(options.values()):
        return []
    services = [s for s in pm.hook.shelver_watch_services(profile=profile, options=options) if s]
    if not services:
        flags = ", ".join(f"--{name}" for name, given in options.items() if given)
        raise UsageProblem(f"{flags}: no plugin serves it (is the web plugin disabled in "
                           f"{profile.where('plugins')}?)")
    return services


async def _serve_with(engine: Any, services: list[Any]) -> None:
    """The daemon, with the plugins' services beside it in the same trio process; they stop
    when the daemon does."""
    import trio
    from shelver.errors import user_facing

    if not services:
        await engine.serve()
        return
    try:
        async with trio.open_nursery() as nursery:
            for service in services:
                await nursery.start(service)
            await engine.serve()
            nursery.cancel_scope.cancel()
    except BaseExceptionGroup as group:  # a ConfigError from the daemon: one line, exit 2
        shown = user_facing(group)
        if shown is not group:
            raise shown from None
        raise


def _watch_banner(profile: Any, mode: str) -> str:
    """The one start-up line of ``shelver watch``."""
    settle = float(profile.get("watch.settle_seconds", 30.0))
    sources = ", ".join(str(s) for s in profile.sources)
    target = str(profile.dest_dir) if profile.dest_dir and mode != "metadata-only" else "in place"
    return (f"shelver: watching {sources} for profile {profile.name} (mode {mode}) -> {target}; "
            f"a file is taken once unchanged for {settle:g} s; Ctrl-C stops")


@cli.command()
@profile_option
@click.option("--refresh", "kind", flag_value="refresh", help="Re-fetch metadata of stale items.")
@click.option("--full", "kind", flag_value="full", help="Re-identify everything, ignoring caches.")
@click.option("--json", "as_json", is_flag=True)
def scan(profile_name: str | None, kind: str | None, as_json: bool) -> None:
    """Enqueue a scan of the profile's sources (quick unless --refresh or --full)."""
    from shelver.scans import enqueue_scan, quick_scan

    if kind is None:  # no plugin needed: started as fast as `shelver hook` (docs/operations.md)
        from shelver.errors import ConfigError

        try:
            counts = quick_scan(profile_name)
        except ConfigError as exc:
            raise ConfigProblem(str(exc)) from None
    else:
        profile, pm, state = open_profile(profile_name)
        try:
            counts = enqueue_scan(profile, pm, state, kind)
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
    from shelver.discovery import printable
    from shelver.scans import progress_lines, status_report

    profile, pm, state = open_profile(profile_name)
    try:
        report = status_report(profile, state, pm)
    finally:
        state.close()
    if as_json:
        click.echo(json.dumps(report))
        return
    click.echo(f"profile {report['profile']}   state DB {report['state_db']}")
    click.echo("items:   " + (", ".join(f"{k} {v}" for k, v in sorted(report["states"].items())) or "none"))
    click.echo(f"queue:   {report['queued']}")
    for line in progress_lines(report):  # the last file's path among them: escaped
        click.echo(printable(line))
    for section in report["sections"].values():  # each plugin's shelver_status lines
        for line in section["lines"]:
            click.echo(printable(line))
    for inst in report["instances"]:
        click.echo(f"daemon:  {inst['profile']} pid {inst['pid']} on {inst['host']} "
                   f"({'alive' if inst['alive'] else 'not responding'})")
    for error in report["errors"]:
        reason = str(error["last_error"] or "")
        if reason.startswith(f"{error['path']}: "):  # the error already names the file
            reason = reason[len(error["path"]) + 2:]
        click.echo(printable(f"error:   {error['path']}: {reason}"))


@cli.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False,
                               "help_option_names": []}, add_help_option=False)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def hook(ctx: click.Context, args: tuple[str, ...]) -> None:
    """Downloader entry point: [-p PROFILE] [--enqueue-only] CLIENT [--] [ARGS...]."""
    # `shelver hook` normally never gets here: main() hands it to the fast path before click
    # parses anything. This keeps it listed in --help and working when cli() is called directly.
    from shelver.intake.fastpath import hook_main

    sys.exit(hook_main(list(args), verbosity=(ctx.obj or {}).get("verbosity", 0)))


@cli.command()
@profile_option
@click.option("--json", "as_json", is_flag=True)
def plugins(profile_name: str | None, as_json: bool) -> None:
    """List every plugin with the hooks it implements and where (file:line)."""
    from shelver.app import load_plugins
    from shelver.errors import ConfigError
    from shelver.manager import describe_plugins

    try:
        _profile, pm = load_plugins(profile_name)
    except ConfigError as exc:
        raise ConfigProblem(str(exc)) from None
    described = describe_plugins(pm)  # what failed was said on stderr as it was loaded
    if as_json:
        for entry in described:
            click.echo(json.dumps(entry))
        return
    width = max((len(impl["hook"]) for entry in described for impl in entry["implementations"]),
                default=0)
    for entry in described:
        click.echo(f"{entry['name']}  ({entry['origin']})")
        for impl in entry["implementations"]:
            click.echo(f"    {impl['hook']:<{width}}  {impl['location']}")
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
    from shelver.manager import get_plugin_manager
    from shelver.paths import config_home

    target = output or config_home() / "profiles" / f"{name}.toml"
    if target.exists() and not force:
        raise ConfigProblem(f"{target} exists (use --force to overwrite)")
    data: dict[str, Any] = {
        "name": name, "mode": mode, "action": "move", "conflict": "skip",
        "sources": [str(s.expanduser().absolute()) for s in sources],
        "watch": {"settle_seconds": 30, "sweep_interval": 900},
        "filters": {"min_size_mb": 50},
    }
    # Each plugin's own sections (a provider's key to fill in), in the order they answer.
    for sections in get_plugin_manager().hook.shelver_profile_template():
        for section, keys in (sections or {}).items():
            data.setdefault(section, {}).update(keys)
    if dest_dir:
        data["dest_dir"] = str(dest_dir.expanduser().absolute())
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(tomli_w.dumps(data), encoding="utf-8")
    click.echo(f"wrote {target}")
    from shelver.app import load_plugins
    from shelver.errors import ConfigError
    from shelver.profiles import check_profile

    try:
        prof, pm = load_plugins(str(target))
        warnings = _profile_warnings(prof, pm, check_profile(prof, pm))
    except ConfigError as exc:
        warnings = [str(exc)]
    for warning in warnings:
        click.echo(f"shelver: warning: {warning}", err=True)


def _profile_warnings(prof: Any, pm: Any, mode: str) -> list[str]:
    """What the plugins say a run of this profile will need (``shelver_check_profile``)."""
    answers = pm.hook.shelver_check_profile(profile=prof, mode=mode)
    return [warning for answer in answers for warning in (answer or [])]


@profile.command("check")
@profile_option
@click.option("--json", "as_json", is_flag=True)
def profile_check(profile_name: str | None, as_json: bool) -> None:
    """Validate a profile and print its resolved settings (secrets hidden)."""
    from shelver.app import load_plugins
    from shelver.errors import ConfigError
    from shelver.profiles import check_profile, shown_settings

    try:
        prof, pm = load_plugins(profile_name)
        mode = check_profile(prof, pm)
    except ConfigError as exc:
        raise ConfigProblem(str(exc)) from None
    data = shown_settings(json.loads(json.dumps(prof.data, default=str)))
    for warning in _profile_warnings(prof, pm, mode):
        click.echo(f"shelver: warning: {warning}", err=True)
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
    from shelver.discovery import printable
    from shelver.review import candidate_key, review_items

    profile, _pm, state = open_profile(profile_name)
    try:
        items = review_items(state, profile.name)
    finally:
        state.close()
    for entry in items:
        if as_json:
            click.echo(json.dumps(entry, ensure_ascii=False))
            continue
        # A name or a TMDB title may hold a newline or a terminal escape: one line each, escaped.
        parsed = entry["parsed"]
        click.echo(printable(f"#{entry['item']}  {entry['path']}"))
        read = [repr(parsed.get("title")), str(parsed.get("year") or "")]
        if parsed.get("season") is not None:
            read.append(f"S{parsed['season']:02d}" + "".join(
                f"E{e:02d}" for e in parsed.get("episodes") or [] if isinstance(e, int)))
        click.echo(printable("     read as: " + " ".join(part for part in read if part)))
        for number, candidate in enumerate(entry["candidates"], 1):
            click.echo(printable(
                f"     {number}. {candidate_key(candidate)}  {candidate.get('title')} "
                f"({candidate.get('year')})  score {candidate.get('score')}"))
        if not entry["candidates"]:
            click.echo("     no candidates: use `shelver review set`")
    if not items and not as_json:
        click.echo("nothing waits for review")


def _decide(profile_name: str | None, item: str, identity_of: Any) -> None:
    """Check everything first (the item waits for review, the identity, the profile and, when
    no daemon will apply it, the run's own start: credentials), then record the choice."""
    from shelver.errors import ConfigError
    from shelver.profiles import check_profile
    from shelver.review import check_provider, check_waiting, decide, describe_identity, find_item

    profile, pm, state = open_profile(profile_name)
    try:
        row = find_item(state, item)
        check_waiting(row)
        identity = identity_of(row)
        check_provider(identity, pm, profile.where("plugins"))
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


# ``--id`` takes any provider's identity; the older option (releases before 0.2, when there was
# one provider) takes KIND/ID of that provider (docs/operations.md, "Review").
LEGACY_OPTION = "--tmdb"
EXAMPLE = f"{LEGACY_PROVIDER}:movie/603"


@review.command("set", help=f"Set ITEM's identity by hand (--id {EXAMPLE}, or --id "
                f"{LEGACY_PROVIDER}:tv/1396 --season 5 --episode 14).")
@click.argument("item")
@click.option("--id", "ref", metavar="PROVIDER:KIND/ID",
              help=f"{EXAMPLE} or {LEGACY_PROVIDER}:tv/1396 ({LEGACY_PROVIDER}:tv/1396/5/14 names "
                   "the episode too).")
@click.option(LEGACY_OPTION, "legacy", metavar="KIND/ID",
              help=f"movie/603 or tv/1396: an id of {LEGACY_PROVIDER}, the provider releases "
                   "before 0.2 knew (the same as --id with that provider).")
@click.option("--season", type=int)
@click.option("--episode", "episodes", type=int, multiple=True)
@click.pass_context
def review_set(ctx: click.Context, item: str, ref: str | None, legacy: str | None,
               season: int | None, episodes: tuple[int, ...]) -> None:
    from shelver.review import parse_identity, parsed_name

    if (ref is None) == (legacy is None):
        raise ConfigProblem(f"review set needs --id PROVIDER:KIND/ID (e.g. --id {EXAMPLE}), "
                            f"or {LEGACY_OPTION} KIND/ID; give one of them")
    if ref is not None:
        _decide(ctx.obj.get("profile"), item,
                lambda row: parse_identity(ref, season, list(episodes), parsed_name(row)))
    else:
        _decide(ctx.obj.get("profile"), item,
                lambda row: parse_identity(str(legacy), season, list(episodes), parsed_name(row),
                                           option=LEGACY_OPTION, provider=LEGACY_PROVIDER))


@cli.command()
@click.option("--keep", type=click.Path(path_type=Path), help="Build the demo in this folder and keep it.")
@click.option("--serve", is_flag=True,
              help="Only serve the plugins' offline stand-ins (the bundled provider snapshot) "
                   "on loopback (until Ctrl-C) with a ready profile, to try shelver on your own "
                   "files offline.")
@click.option("--port", type=int, default=0, show_default=True, help="With --serve: 0 picks a free port.")
@click.option("--web", is_flag=True, help="Leave some files for review and serve the web UI on "
              "loopback until Ctrl-C (it prints the URL).")
def demo(keep: Path | None, serve: bool, port: int, web: bool) -> None:
    """Offline demo: sample downloads, a bundled TMDB snapshot on loopback, a real run."""
    from shelver.demo import run_demo, serve_demo

    if serve and web:
        raise UsageProblem("--serve and --web do not go together")
    sys.exit(serve_demo(keep, port) if serve else run_demo(keep, web=web))


# `shelver explain` and `shelver rematch` (one file's identity): in their own module.
from shelver.identify_cli import explain, rematch  # noqa: E402

cli.add_command(explain)
cli.add_command(rematch)


if __name__ == "__main__":  # pragma: no cover: the console script is shelver.entry:main
    cli(prog_name="shelver")
