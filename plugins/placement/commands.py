"""``shelver undo [RUN]`` and ``shelver assess PATH``: commands registered through the same hook
a third-party plugin uses (``shelver_register_commands``, in
:mod:`shelver.plugins.placement.plugin`)."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click
from shelver.api import profile_option


def _human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.1f} {unit}" if unit != "B" else f"{int(value)} B"
        value /= 1000
    return f"{value:.1f} TB"


def _tell_servers(profile: Any, pm: Any, state: Any, undo_id: int, report: Any) -> None:
    """Tell the media servers what the undo removed from the library and what it put back
    there (``shelver_library_changed``, docs/media-servers.md); a server's failure waits in
    the state DB like a run's."""
    from shelver.api import Change, RunContext, announce, removed_changes

    pairs = [line.split(" -> ", 1) for line in report.moved_back]
    removed = [dst for dst, _src in pairs] + list(report.removed)
    changes = removed_changes(removed, str(profile.dest_dir) if profile.dest_dir else None)
    library = str(profile.dest_dir) + "/" if profile.dest_dir else None
    changes += [Change(str(Path(src).parent), "created") for _dst, src in pairs
                if library is not None and src.startswith(library)]
    if not changes:
        return
    ctx = RunContext(profile=profile, state=state, pm=pm, run_id=undo_id, mode="undo")
    try:
        announce(ctx, changes)
    except Exception as exc:  # the state DB failing: the undo itself is done
        click.echo(f"shelver: warning: the media servers were not told about the undo: "
                   f"{type(exc).__name__}: {exc}", err=True)


def register_commands(cli: click.Group) -> None:
    @cli.command("undo")
    @click.argument("run", required=False, type=int)
    @profile_option
    @click.option("--list", "list_runs", is_flag=True, help="List the runs that can be undone.")
    @click.option("--dry-run", is_flag=True, help="Say what would be undone; change nothing.")
    @click.option("--json", "as_json", is_flag=True, help="One JSON object on stdout.")
    def undo_command(run: int | None, profile_name: str | None, list_runs: bool, dry_run: bool,
                     as_json: bool) -> None:
        """Reverse a run's placements (default: the profile's latest run)."""
        from shelver.api import UsageProblem, open_profile, printable
        from shelver.plugins.placement import undo

        profile, pm, state = open_profile(profile_name)
        try:
            if list_runs:
                runs = [r for r in state.journal_runs(profile.name) if r["command"] != "undo"]
                for entry in runs:
                    about = undo.describe_run(state, entry)
                    if as_json:
                        click.echo(json.dumps({**entry, **about}))
                        continue
                    counts = ", ".join(f"{n} {status}" for status, n in sorted(about["counts"].items()))
                    click.echo(printable(
                        f"run {entry['id']}  {about['date']}  {entry['command']} "
                        f"({entry['mode']}, {entry['status']})  {counts or 'no counts'}"
                        + (f"  e.g. {about['sample']}" if about["sample"] else "")))
                if not runs and not as_json:
                    click.echo(f"profile {profile.name!r} has no run to undo")
                return
            if run is not None:
                row = undo.run_row(state, run)
                if row is None or row["profile"] != profile.name:
                    raise UsageProblem(f"no run {run}" + (
                        f" of profile {profile.name!r} (it is profile {row['profile']!r}'s: -p "
                        f"{row['profile']})" if row is not None else "")
                        + "; `shelver undo --list` shows the runs that can be undone")
            run_id = run if run is not None else undo.default_run(state, profile.name)
            if run_id is None:
                raise click.ClickException(f"profile {profile.name!r} has no run to undo")
            from shelver.api import journal_ops, recover

            ops = journal_ops(pm)  # the plugins' ops: their recovery and undo steps
            if not dry_run:  # a crashed run is settled first: undo reverses whole steps only
                recover(state, ops=ops)
            undo_id = None if dry_run else state.start_run(profile.name, "undo", "undo")
            status = "failed"
            try:
                report = undo.undo_run(state, run_id, undo_id, dry_run=dry_run, ops=ops)
                status = "done"
            except undo.UndoRefused as exc:
                if as_json:
                    click.echo(json.dumps({"run": run_id, "refused": exc.problems}))
                click.echo(f"shelver: {exc}", err=True)
                sys.exit(1)
            except OSError as exc:  # a disk error mid-way: what was done is journaled
                click.echo(f"shelver: undo of run {run_id} stopped: {exc}; run it again once "
                           f"that is fixed (what was undone stays undone)", err=True)
                sys.exit(1)
            finally:
                if undo_id is not None:
                    state.end_run(undo_id, status, {})
            if undo_id is not None:
                _tell_servers(profile, pm, state, undo_id, report)
        finally:
            state.close()
        if as_json:
            click.echo(json.dumps({**report.as_json(), "dry_run": dry_run}))
            return
        verb = "would be" if dry_run else "were"
        click.echo(f"run {run_id}: {len(report.moved_back)} file(s) {verb} moved back, "
                   f"{len(report.removed)} removed, {len(report.folders_removed)} folder(s) "
                   f"removed" + (f", {len(report.folders_kept)} kept (not empty)"
                                 if report.folders_kept else "")
                   + (f", {len(report.untagged)} MP4(s) given their original bytes back"
                      if report.untagged else ""))
        for line in report.moved_back:  # a download's own name: escaped, one line
            click.echo(printable(f"  {line}"))

    @cli.command("assess")
    @click.argument("paths", nargs=-1, required=True,
                    type=click.Path(exists=True, path_type=Path))
    @profile_option
    @click.option("--json", "as_json", is_flag=True, help="One JSON object per PATH on stdout.")
    def assess_command(paths: tuple[Path, ...], profile_name: str | None, as_json: bool) -> None:
        """Size, file count and recommended mode of each collection folder, smallest first."""
        from shelver.api import ConfigError, ConfigProblem, load_with_plugins, long_run_line
        from shelver.plugins.placement.assess import assess

        try:
            profile, _pm = load_with_plugins(profile_name)
        except ConfigError as exc:
            raise ConfigProblem(str(exc)) from None
        videos = 0
        for path in paths:
            report = assess(path, profile)
            videos += sum(c["files"] for c in report["collections"])
            if as_json:
                click.echo(json.dumps(report))
                continue
            _print_assessment(report)
        warning = long_run_line(_pm, profile, videos)
        if warning is not None:  # docs/operations.md, "Huge trees"
            logging.getLogger("shelver").warning("%s", warning)


def _print_assessment(report: dict[str, Any]) -> None:
    cache = report["cache"]
    if cache["usable_bytes"] is None:
        click.echo(f"{report['path']}: no work_dir, so no cache: inplace (or metadata-only first)")
    else:
        click.echo(f"{report['path']}: cache {cache['work_dir'] or '(assess.cache_gb)'} with "
                   f"{_human_size(cache['usable_bytes'])} usable (thresholds × {cache['scale']})")
    click.echo(f"{'order':>5}  {'size':>10}  {'videos':>6}  {'mode':<13}  collection")
    for entry in report["collections"]:
        click.echo(f"{entry['order']:>5}  {_human_size(entry['size']):>10}  {entry['files']:>6}  "
                   f"{entry['mode']:<13}  {entry['name']}")
        if entry.get("reason"):
            click.echo(f"{'':>5}  {'':>10}  {'':>6}  {'':<13}  {entry['mode']}: {entry['reason']}")
