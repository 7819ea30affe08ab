"""``shelver explain FILE`` and ``shelver rematch ITEM``: the commands about one file's identity,
thin like the rest of the command line (the work is in :mod:`shelver.explain` and
:mod:`shelver.rematch`); :mod:`shelver.cli` adds them to the ``shelver`` group."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from shelver.console import ConfigProblem, UsageProblem, open_profile, run_engine
from shelver.model import LEGACY_PROVIDER

# The provider before 0.2 (one provider then) has an option of its own, as `shelver review set`.
LEGACY_OPTION = "--" + LEGACY_PROVIDER


def _profile_option(fn: click.decorators.FC) -> click.decorators.FC:
    return click.option("-p", "--profile", "profile_name", metavar="PROFILE",
                        help="Profile name or path (default: 'default' if it exists).")(fn)


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@_profile_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object on stdout.")
def explain(file: Path, profile_name: str | None, as_json: bool) -> None:
    """How FILE would be identified, and why: moves and records nothing."""
    from shelver.errors import ConfigError, ShelverError
    from shelver.explain import explain_file, human_lines

    if not file.is_file():
        raise UsageProblem(f"explain takes one video file: {file} is "
                           + ("a folder" if file.is_dir() else "not there"))
    profile, pm, state = open_profile(profile_name)
    try:
        report = explain_file(profile, pm, state, file)
    except ConfigError as exc:
        raise ConfigProblem(str(exc)) from None
    except ShelverError as exc:
        click.echo(f"shelver: error: {file}: {exc}; nothing was changed", err=True)
        sys.exit(1)
    except Exception as exc:  # a plugin's failure: one line, never a traceback
        click.echo(f"shelver: error: {file}: {type(exc).__name__}: {exc}; nothing was changed",
                   err=True)
        sys.exit(1)
    finally:
        state.close()
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, default=str))
        return
    for line in human_lines(report):
        click.echo(line)


@click.command()
@click.argument("item")
@_profile_option
@click.option("--id", "ref", metavar="PROVIDER:KIND/ID",
              help=f"The new identity: {LEGACY_PROVIDER}:movie/603, {LEGACY_PROVIDER}:tv/1396 "
                   f"(with --season/--episode, or {LEGACY_PROVIDER}:tv/1396/5/14).")
@click.option(LEGACY_OPTION, "legacy", metavar="KIND/ID",
              help=f"movie/603 or tv/1396: an id of {LEGACY_PROVIDER} (the same as --id "
                   f"{LEGACY_PROVIDER}:KIND/ID).")
@click.option("--candidate", type=int, metavar="K",
              help="Candidate K (1-based) of those recorded when the file was identified.")
@click.option("--season", type=int)
@click.option("--episode", "episodes", type=int, multiple=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file on stdout.")
def rematch(item: str, profile_name: str | None, ref: str | None, legacy: str | None,
            candidate: int | None, season: int | None, episodes: tuple[int, ...],
            as_json: bool) -> None:
    """Move organised ITEM (its number or path) to another identity; `shelver undo` reverses it."""
    import trio
    from shelver.errors import ConfigError, ShelverError
    from shelver.rematch import check_known, check_new, check_organised, record, rematch_profile
    from shelver.review import (
        accept_candidate,
        check_provider,
        describe_identity,
        find_item,
        parse_identity,
        parsed_name,
    )

    if sum(x is not None for x in (ref, legacy, candidate)) != 1:
        raise UsageProblem(f"rematch needs one of --id PROVIDER:KIND/ID (e.g. --id "
                           f"{LEGACY_PROVIDER}:movie/603), {LEGACY_OPTION} KIND/ID or "
                           "--candidate K")
    profile, pm, state = open_profile(profile_name)
    try:
        row = find_item(state, item if item.isdigit() else os.path.abspath(item))
        check_organised(row, profile)
        if candidate is not None:
            identity = accept_candidate(row, candidate, season, list(episodes))
        elif ref is not None:
            identity = parse_identity(ref, season, list(episodes), parsed_name(row))
        else:
            identity = parse_identity(str(legacy), season, list(episodes), parsed_name(row),
                                      option=LEGACY_OPTION, provider=LEGACY_PROVIDER)
        check_new(row, identity)
        check_provider(identity, pm, profile.where("plugins"))
        title = trio.run(check_known, profile, pm, state, identity)
    except ConfigError as exc:
        state.close()
        raise ConfigProblem(str(exc)) from None
    except Exception as exc:  # the provider unreachable, a plugin's failure: nothing changed
        state.close()
        shown = str(exc) if isinstance(exc, ShelverError) else f"{type(exc).__name__}: {exc}"
        click.echo(f"shelver: error: {shown}; nothing was changed", err=True)
        sys.exit(1)
    path = Path(row["path"])

    def before_work() -> None:  # once the run has started (its checks passed)
        record(state, row, identity, profile.name)
        click.echo(f"item {row['id']}: {describe_identity(identity)} {title}", err=True)

    status = run_engine(rematch_profile(profile, path), pm, state, [path], mode="inplace",
                        dry_run=False, as_json=as_json, command="rematch",
                        before_work=before_work)
    if status == 1:  # failed before the file moved: the item keeps what it was
        from shelver.profiles import state_migrations
        from shelver.rematch import settle_failed
        from shelver.store import StateDB

        state = StateDB(profile.state_db, state_migrations(pm))
        try:
            if settle_failed(state, int(row["id"])):
                click.echo(f"item {row['id']}: left as it was, at {path}", err=True)
        finally:
            state.close()
    sys.exit(status)
