"""Every hook shelver calls, grouped by pipeline phase.

Calling conventions (the same for built-in and third-party plugins):

* ``ctx`` is the :class:`shelver.context.RunContext` of the current run: the profile, the state DB,
  the run id, ``dry_run``, the chosen mode, a logger and ``await ctx.to_thread(fn, ...)``.
* Per-item hooks are called from a worker thread, so a plain ``def`` implementation may block
  (read files, hash, copy) without stalling the event loop. An implementation that does network
  I/O may instead return an awaitable (write it ``async def``); the engine awaits it on the trio
  event loop.
* For ``firstresult`` hooks the first non-None result wins. An ``async def`` implementation always
  answers (its coroutine is not None); an implementation that may decline does so with a plain
  ``def`` that returns ``None`` or returns a coroutine.
* An implementation may accept any subset of a hook's parameters (pluggy), so new parameters never
  break old plugins.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    from shelver.context import RunContext
    from shelver.metadata import Metadata
    from shelver.model import (
        Change,
        Delivery,
        DemoService,
        Identity,
        Item,
        Match,
        ParsedName,
        Placement,
        Plan,
    )
    from shelver.profiles import Profile
    from shelver.store import StateDB

hookspec = pluggy.HookspecMarker("shelver")


# ---------------------------------------------------------------------------------------------
# Registration: called once when the plugin manager or the CLI is built
# ---------------------------------------------------------------------------------------------


@hookspec
def shelver_config_schema() -> dict[str, dict[str, Any]] | None:
    """Declare the profile sections this plugin reads.

    Called when a profile is validated. Return ``{section: {key: default, ...}}``; a key whose
    default is a type (``int``, ``str``...) has no default but that type. A key in the profile that
    no plugin declares is a configuration error naming the key and the file.
    """


@hookspec
def shelver_check_profile(profile: Profile, mode: str) -> list[str] | None:
    """Check settings that only fail when used (a template that fails to render).

    Called by ``shelver profile check`` and at the start of every run, watch and hook, after
    the profile validated against the schemas, with the mode the run will use. Raise
    :class:`shelver.errors.ConfigError` naming the setting and the file; the command stops with
    exit status 2 before any file is touched. Return warnings (one line each: a setting a run
    will need, e.g. a missing key) or None: ``shelver profile check`` and ``shelver profile
    init`` show them as ``shelver: warning: ...``; a run ignores them (its own checks stop it).
    """


@hookspec
def shelver_profile_template() -> dict[str, dict[str, Any]] | None:
    """The settings a new profile spells out for this plugin (``shelver profile init``).

    Return ``{section: {key: value}}`` (e.g. a key to fill in, with the defaults a user is most
    likely to change) or None. Every implementation is called; the sections are written in the
    order their plugins answer, after the core settings. Each must be valid under the plugin's
    ``shelver_config_schema``.
    """


@hookspec
def shelver_register_commands(cli: click.Group) -> None:
    """Add subcommands to the ``shelver`` command line.

    Called once when the CLI is built. ``cli`` is the top-level ``click.Group``; add commands with
    ``@cli.command()``. A command name already taken is an error naming both plugins.
    """


@hookspec
def shelver_register_modes(register: Callable[[str, str], None]) -> None:
    """Declare processing modes: call ``register(name, description)`` once per mode.

    Called when a profile is validated and before a run. A profile naming a mode nobody
    registered is a configuration error. The mode's work is done in ``shelver_place``.
    """


@hookspec
def shelver_status(profile: Profile, state: StateDB) -> dict[str, Any] | None:
    """Add a section to ``shelver status``: what this plugin keeps in the state DB.

    Called by ``shelver status`` with the profile and its open state DB (read it; write
    nothing). Return ``{section: {"lines": [str, ...], ...data}}`` or None: each ``lines`` entry
    is printed as is (start it with ``section:`` padded like the other lines), and the whole
    section, ``lines`` included, goes under ``sections[section]`` in ``--json``. Every
    implementation is called; sections are shown in the order their plugins answer.
    """


@hookspec
def shelver_demo_services(stack: contextlib.ExitStack, serve: bool, port: int
                          ) -> DemoService | None:
    """Start the offline stand-in of a service this plugin talks to, for ``shelver demo``.

    Called by ``shelver demo`` before its profile is written. Start the stand-in (e.g. a
    provider's look-alike on loopback), register its stop on ``stack`` (closed when the demo
    ends, also on Ctrl-C), and return a :class:`shelver.model.DemoService`: the profile settings
    that point the plugin at it and one line saying what runs where. ``serve`` is True for
    ``shelver demo --serve`` (the stand-in stays up for a person's own files until Ctrl-C: accept
    the credentials a user may have exported), with ``port`` the one asked for (0: any free
    port). Every implementation is called; return None when there is nothing to stand in for.
    """


@hookspec
def shelver_register_migrations(register: Callable[[str, Callable[[Any], None]], None]) -> None:
    """Declare state DB migrations: call ``register(name, fn)``; ``fn(db)`` gets a
    ``sqlite_utils.Database``.

    Called whenever the state DB is opened. Each named migration runs once per DB, in
    registration order, and is recorded in ``_shelver_migrations``. Name them
    ``"<plugin>-NNN-what"`` so they never collide.
    """


@hookspec
def shelver_register_journal_ops(register: Callable[..., None]) -> None:
    """Declare the placement journal ops this plugin writes: call
    ``register(op, settle=fn, undo=obj_or_None)`` once per op (``"stage-*"``: every op with
    that prefix).

    Called when the journal is recovered (run start, ``shelver undo``). ``settle(state, row)``
    puts the disk and the row in order after a crash and returns ``"done"`` or
    ``"rolled-back"``; it is called after the file layer's own rows are settled. A row whose op
    no enabled plugin registers is left unfinished, with a warning naming the op.
    """


# ---------------------------------------------------------------------------------------------
# Run lifecycle
# ---------------------------------------------------------------------------------------------


@hookspec
def shelver_run_check(ctx: RunContext) -> Any:
    """Check that the run can work, touching no file: settings, credentials, reachable services.

    Called once at the start of a run (or a daemon's life). Every implementation, plain or
    ``async def``, has finished before the first ``shelver_run_start`` is called, so a wrong
    key stops the run before recovery or anything else touches a file. Open clients here (keep
    them in ``ctx.resources``) when the check needs them. Must not create, move or remove a
    file outside the state DB. Raise :class:`shelver.errors.ConfigError` to stop the run with
    exit status 2.
    """


@hookspec
def shelver_run_start(ctx: RunContext) -> Any:
    """Called once, after every ``shelver_run_check``, before the first item of a run (or a
    daemon's life).

    Recover interrupted work and anything else that touches files. Raise
    :class:`shelver.errors.ConfigError` to stop the run with exit status 2 before any item is
    processed. May be ``async def``.
    """


@hookspec
def shelver_run_end(ctx: RunContext) -> Any:
    """Called once after the last item of a run, even when the run failed. May be ``async def``."""


@hookspec
def shelver_estimate_lookups(profile: Profile, videos: int) -> dict[str, Any] | None:
    """How long identifying ``videos`` files not identified yet will take at a provider's rate.

    Called when a one-shot run's walk is over (and by ``shelver assess``), in the event loop's
    thread: no I/O. Return ``{"seconds": float, "rate": "35 requests/10 s"}`` (``rate`` in words
    for the warning), or None. A run whose longest estimate is an hour or more warns:
    ``102,400 videos: about 16 h at 35 requests/10 s; consider metadata-only first``
    (docs/operations.md, "Huge trees").
    """


# ---------------------------------------------------------------------------------------------
# Per item: parse → probe → match → fingerprint → plan → place → enrich → done
# ---------------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def shelver_parse_name(item: Item, ctx: RunContext) -> ParsedName | None:
    """Read what the file name and its folders say about the file.

    Returns a :class:`~shelver.model.ParsedName`; first non-None result wins.
    """


@hookspec
def shelver_probe(item: Item, ctx: RunContext) -> dict[str, Any] | None:
    """Describe the file's streams: return a dict merged into ``item.probe``.

    Every implementation is called; later results do not overwrite keys set by earlier ones.
    Keys are listed on :class:`~shelver.model.Item`.
    """


@hookspec(firstresult=True)
def shelver_match(item: Item, ctx: RunContext) -> Match | None:
    """Identify the item: return a :class:`~shelver.model.Match`; first non-None result wins.

    Called after parse and probe. A Match whose ``identity`` is None sends the item to REVIEW
    with its candidates. Returning None from every implementation also means REVIEW.
    """


@hookspec(firstresult=True)
def shelver_fetch_metadata(identity: Identity, ctx: RunContext) -> Metadata | None:
    """The :class:`~shelver.metadata.Metadata` of a known ``identity``, without a search.

    A provider answers for its own identities only (``identity.provider`` is its registered name)
    and returns None for others; first non-None result wins. Any plugin that needs a work's
    metadata (phash recognising a moved file, a refresh, the web UI) calls this hook instead of
    importing the provider. Called on the trio event loop. An ``async def`` implementation
    always answers (its coroutine is not None), so a provider that must decline for other
    providers' identities is a plain ``def`` that returns None or a coroutine (the calling
    conventions above). Raise :class:`~shelver.errors.NotFoundError` when the provider no longer
    knows the id.
    """


@hookspec
def shelver_fingerprint(item: Item, ctx: RunContext) -> dict[str, Any] | None:
    """Compute content fingerprints (e.g. ``{"phash": "..."}``) merged into ``item.fingerprint``.

    Called after match, for items that will be placed or described; every implementation is
    called. A plugin that finds the file is another copy of a library file sets
    ``item.duplicate_of`` (a :class:`~shelver.model.Duplicate`) and nothing else: it moves no
    file, writes nothing to the state DB and leaves ``item.status`` alone. The place phase
    carries the decision out by the profile's ``conflict`` policy (docs/architecture.md, "Only
    placement moves files").
    """


@hookspec(firstresult=True)
def shelver_plan_destination(item: Item, ctx: RunContext) -> Plan | None:
    """Decide the library path of an identified item: return a :class:`~shelver.model.Plan`.

    First non-None result wins. The engine refuses a destination outside ``dest_dir``.
    """


@hookspec(firstresult=True)
def shelver_place(item: Item, plan: Plan | None, ctx: RunContext) -> Placement | None:
    """Put the file where ``plan`` says, as ``ctx.mode`` requires.

    Each mode plugin answers only for its own mode (``ctx.mode``) and returns None otherwise;
    first non-None result wins. ``plan`` is None for ``metadata-only``. Must never leave a file
    half-written under its final name; an existing destination is never overwritten.

    Only this phase (and finalize) moves files. It is also called, ``plan`` None, for an item
    left for review (``item.status == Status.REVIEW``; never in a dry run): the placement plugin
    moves it to ``failed_dir``; a mode plugin returns None. The answer then only says where the
    file is now (the item stays REVIEW).
    """


@hookspec
def shelver_enrich(item: Item, ctx: RunContext) -> list[Any] | None:
    """Describe the placed file: NFOs, tags, artwork.

    Called after placement with ``item.placement`` set. Return the paths written (added to
    ``item.written``, which ``shelver undo`` removes). Every implementation is called.
    """


@hookspec(firstresult=True)
def shelver_fetch_image(url: str, ctx: RunContext) -> bytes | None:
    """The bytes of the image at ``url`` (an absolute URL from a
    :class:`~shelver.metadata.Metadata`), for a plugin that embeds artwork rather than placing
    it (the MP4 tagger's cover).

    Called from a worker thread while an item is enriched: implement it as a plain ``def``
    (it may block). Return None for a URL you do not fetch (another scheme); first non-None
    result wins. Raise when the image cannot be had (an HTTP error, a body that is not an
    image); the caller reports it and goes on without the image.
    """


@hookspec
def shelver_finalize(item: Item, ctx: RunContext) -> None:
    """Settle a placed and described item: called after ``shelver_enrich`` (never in a dry run,
    never interrupted by a shutdown) with ``item.placement`` and ``item.written`` set.

    A mode that placed the file somewhere intermediate (``cache`` stages it in ``work_dir``, so
    tags are written on fast storage) moves it and what enrich wrote into the library here,
    updating ``item.placement.path`` and ``item.written``. Built-ins also record the files the
    run created, for ``shelver undo``. Every implementation is called; the return value is
    ignored.
    """


@hookspec
def shelver_item_done(item: Item, ctx: RunContext) -> Any:
    """Called when an item has its final status (any status, errors included).

    For per-file work once the outcome is known; it moves no file (``item.path`` is where the
    file stays). Media servers and run summaries are told once per run instead, through
    ``shelver_library_changed`` and ``shelver_run_summary``. Exceptions are logged, never fail the item. May be ``async def``.
    """


# ---------------------------------------------------------------------------------------------
# After a run: media servers and notifications (docs/media-servers.md)
# ---------------------------------------------------------------------------------------------


@hookspec
def shelver_library_changed(changes: list[Change], ctx: RunContext) -> list[Delivery] | None:
    """Say which deliveries tell a service (a media server) about changed library folders.

    Called once at the end of a run with every folder the run changed, once per batch by a
    daemon (after ``watch.debounce_seconds`` without a new change), and by ``shelver undo``
    with what it removed or restored; never in a dry run. ``changes`` holds
    :class:`~shelver.model.Change` objects (``path``, ``kind``: ``"created"``, ``"modified"``,
    ``"deleted"``), one per folder however many files changed in it. Return the
    :class:`~shelver.model.Delivery` objects to send (the engine sends them through
    ``shelver_deliver`` and keeps the failed ones for later), or None. Called in a worker
    thread; it should not do network I/O itself. Every implementation is called.
    """


@hookspec
def shelver_run_summary(summary: dict[str, Any], ctx: RunContext) -> list[Delivery] | None:
    """Say which deliveries tell people how a run went (one per run, not one per file).

    Called when ``shelver_library_changed`` is (never in a dry run), when the run (or the
    daemon's batch) handled at least one file. ``summary`` has ``run``, ``profile``,
    ``command``, ``mode``, ``status``, ``counts`` (per status), ``items`` (each file's
    ``--json`` record) and ``review`` (the records left for review). Return deliveries or None,
    as ``shelver_library_changed``.
    """


@hookspec(firstresult=True)
def shelver_deliver(delivery: Delivery, ctx: RunContext) -> str | None:
    """Send one :class:`~shelver.model.Delivery`: answer only when ``delivery.plugin`` is your
    plugin's registered name, else return None; first non-None result wins.

    Called in a worker thread (a plain ``def`` that may block on the network, within its own
    timeout). Return the service's answer in one line (``shelver notify test`` prints it).
    Raise anything on failure (the delivery waits in the state DB and is tried again with
    backoff; ``shelver status`` shows it), :class:`~shelver.errors.DeliveryDeferred` when it
    must wait without counting as a failure. Never put a secret in an exception's text.
    """


# ---------------------------------------------------------------------------------------------
# Front ends: what the web UI (or any other front end) asks other plugins for
# ---------------------------------------------------------------------------------------------


@hookspec
def shelver_search(text: str, year: int | None, kind: str | None, ctx: RunContext
                   ) -> list[dict[str, Any]] | None:
    """Candidates for a person choosing an identity by hand (the web UI's Review search box).

    ``text`` is what the person typed: a title (with ``year`` and ``kind``, ``"movie"`` or
    ``"tv"``, when given), or an id or a URL of this provider (``tmdb:movie/603``, a TMDB page's
    URL): then return that one work. Return candidate dicts shaped like those a match stores for
    review (``provider``, ``type``, ``id``, ``title``, ``year``, optionally ``poster`` (an
    absolute URL), ``overview``, ``runtime``), best first, or None when the text is not for this
    provider. Every implementation is called (results are concatenated in plugin order); may be
    ``async def``. ``ctx`` is a context of no run (``run_id`` 0, ``dry_run``): set up and close
    whatever client you need yourself when ``ctx.resources`` has none.
    """


@hookspec(firstresult=True)
def shelver_undo_preview(state: StateDB, run_id: int, pm: Any) -> dict[str, Any] | None:
    """What undoing run ``run_id`` would do, touching nothing: ``{"moved_back": [...],
    "removed": [...], "folders_removed": [...], "refused": [reasons]}`` (``refused`` non-empty:
    the undo would do nothing). ``pm`` is the profile's plugin manager (other plugins' journal
    ops). The plugin that moves files answers; first non-None result wins."""


@hookspec(firstresult=True)
def shelver_undo_run(state: StateDB, run_id: int, pm: Any, profile: Profile) -> dict[str, Any] | None:
    """Undo run ``run_id`` of ``profile`` as ``shelver undo RUN`` does (recorded as a run of its
    own) and return what was done, shaped like :func:`shelver_undo_preview`'s answer (``refused``
    non-empty: nothing was done). First non-None result wins."""


@hookspec
def shelver_watch_services(profile: Profile, options: dict[str, Any]) -> Any:
    """A service to run beside ``shelver watch``'s daemon, in its trio process.

    ``options`` holds the flags ``shelver watch`` was given (``{"web": True}`` for ``--web``).
    Return an async function ``serve(*, task_status)`` that calls ``task_status.started()`` once
    it serves and runs until cancelled (it is cancelled when the daemon stops), or None. Every
    implementation is called.
    """
