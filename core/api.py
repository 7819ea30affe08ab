"""The public plugin API: the only part of shelver a plugin imports (docs/plugins.md, "The API").

A plugin, built-in or third-party, imports ``shelver.api`` and its own package, nothing else of
shelver; what it needs from another plugin it asks through a hook. Everything not named in
``__all__`` here is private and may change in any release; tests/test_boundaries.py fails when a
built-in (or the example plugin) imports anything else of shelver.

The names, by what they are for:

* **Hooks and the run**: ``hookimpl`` (the marker for hook implementations), ``RunContext``
  (``ctx``), ``__version__``.
* **The data model** (docs/architecture.md, "The data a file carries"): ``Item``,
  ``ParsedName``, ``DownloaderHints``, ``Identity``, ``Match``, ``Duplicate``, ``Plan``,
  ``Placement``, ``State``, ``Status``, ``Priority``, ``Trace`` (what ``shelver explain`` shows,
  ``ctx.trace``); the metadata a provider fills in: ``Metadata``,
  ``Person``, ``Image``, ``Rating``, ``Season``, ``Episode``.
* **Errors**: ``ShelverError``, ``ConfigError`` (exit 2, names the setting), ``ItemError`` (the
  item fails, the run goes on), ``NotFoundError``.
* **The store and settings**: ``StateDB`` (``ctx.state``'s type, for the journal and plugin
  tables), ``Profile`` (``ctx.profile``'s type), ``pid_alive`` (whether a journal row's or an
  item's owner process still runs), ``LIMITER_SIZES`` (the named thread limiters' sizes).
* **Crash-safe file operations** (:mod:`shelver.fileops`, whose docstring states the crash
  invariants): ``place_file`` (journaled move/copy/hardlink/symlink/reflink, never overwrites:
  ``DestinationExists``; ``SourceChanged`` when the source changes meanwhile), ``make_dirs``,
  ``temp_name`` (the temp-name pattern discovery never takes), ``fsync_dir``, ``copy_owner``,
  ``remember_owner``/``restore_owner`` (what undo gives back), ``VERIFY`` (the
  ``placement.verify`` choices), ``COPY_CHUNK``, ``FICLONE`` (the reflink ioctl); the journal's op
  registry: ``journal_ops`` (every plugin's ops, as ``JournalOps``) and ``recover`` (settle
  interrupted rows); and the steps a multi-stage placement (the cache's staging) is built from:
  ``start_stamp``, ``check_unchanged``, ``held_unchanged``, ``copy_verified``, ``copy_unchanged`` (both in one), ``size_or_none``,
  ``unlink_source``.
* **Names and files**: ``clean_component`` (any text as one safe path component), ``fit_name``
  (a derived name within 255 bytes), ``is_image_path``; what discovery knows:
  ``VIDEO_EXTENSIONS``, ``TEMP_MARKER``, ``is_partial`` (a partial download's name),
  ``companions_of`` (a video's sidecars), ``Sidecars``, ``printable`` (a name shown on one line,
  its control characters and stray bytes escaped).
* **Logs**: ``redact`` (a secret never shown in a log line), ``shown_url`` (a URL with its
  user and password as ``***``).
* **Media servers and notifications** (docs/media-servers.md): ``Change`` (a library folder a
  run changed), ``Delivery`` (a message for a service), ``DeliveryDeferred`` (it must wait),
  ``map_path`` (a path as the server sees it, by ``path_map``), ``announce`` (fire
  ``shelver_library_changed``/``shelver_run_summary`` and send what they return: what
  ``shelver undo`` calls), ``send_now`` (the same, keeping nothing that fails: ``shelver notify test``),
  ``delivery_status`` (a ``shelver status`` section of a plugin's waiting deliveries),
  ``removed_changes`` (an undo's removed files as changes), ``check_service_section`` (a
  service section's ``url``, ``timeout`` and ``path_map`` checked alike); ``LoopbackServer``,
  ``LoopbackRequest`` (the recording loopback HTTP server a look-alike of a service is built
  on, for tests and the demo).
* **Plugin commands** (``shelver_register_commands``): ``profile_option`` (the ``-p/--profile``
  option), ``open_profile`` (profile, plugin manager and state DB; configuration errors exit 2),
  ``load_with_plugins`` (profile and plugin manager, no state DB), ``ConfigProblem`` and
  ``UsageProblem`` (exit 2 with ``shelver: error: MESSAGE``). Those from the command line are
  imported on first use.
* **Front ends** (the web UI, docs/web.md): ``open_app``/``App`` (the application layer: a
  profile, its plugin manager and the state DB), ``check_profile``, ``config_home``;
  ``status_report`` (what ``shelver status`` shows of a profile); the events log:
  ``events_since``, ``latest_event_id``, ``run_progress``; a person's review decisions
  (:mod:`shelver.review`): ``accept_candidate``, ``parse_identity``, ``check_provider``,
  ``check_waiting``, ``decide``, ``ignore``, ``describe_identity``, ``parsed_name``. Imported on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from shelver import __version__
from shelver.context import LIMITER_SIZES, RunContext
from shelver.discovery import (
    TEMP_MARKER,
    VIDEO_EXTENSIONS,
    Sidecars,
    companions_of,
    is_partial,
    printable,
)
from shelver.errors import ConfigError, DeliveryDeferred, ItemError, NotFoundError, ShelverError
from shelver.fileops import (
    COPY_CHUNK,
    FICLONE,
    VERIFY,
    DestinationExists,
    JournalOps,
    SourceChanged,
    check_unchanged,
    copy_owner,
    copy_unchanged,
    copy_verified,
    fsync_dir,
    held_unchanged,
    journal_ops,
    make_dirs,
    place_file,
    recover,
    remember_owner,
    restore_owner,
    size_or_none,
    start_stamp,
    temp_name,
    unlink_source,
)
from shelver.logs import redact, shown_url
from shelver.metadata import (
    CAST,
    DIRECTING,
    FANART,
    GUEST,
    LOGO,
    POSTER,
    PRODUCTION,
    SEASON_POSTER,
    THUMB,
    WRITING,
    Episode,
    Image,
    Metadata,
    Person,
    Rating,
    Season,
)
from shelver.model import (
    Change,
    Delivery,
    DemoService,
    DownloaderHints,
    Duplicate,
    Identity,
    Item,
    Match,
    ParsedName,
    Placement,
    Plan,
    Priority,
    State,
    Status,
    Trace,
)
from shelver.names import clean_component, fit_name, is_image_path
from shelver.outbox import (
    announce,
    check_service_section,
    delivery_status,
    map_path,
    removed_changes,
)
from shelver.profiles import Profile, load_with_plugins
from shelver.store import StateDB, pid_alive

if TYPE_CHECKING:
    import pluggy
    from shelver.app import App, open_app
    from shelver.cli import ConfigProblem, UsageProblem, open_profile, profile_option
    from shelver.paths import config_home
    from shelver.profiles import check_profile
    from shelver.review import (
        accept_candidate,
        check_provider,
        check_waiting,
        decide,
        describe_identity,
        ignore,
        parse_identity,
        parsed_name,
    )
    from shelver.scans import status_report
    from shelver.store.events import events_since, latest_event_id, run_progress
    from shelver.testing.loopback import LoopbackServer
    from shelver.testing.loopback import Request as LoopbackRequest

    hookimpl: pluggy.HookimplMarker

__all__ = [
    # hooks and the run
    "LIMITER_SIZES", "RunContext", "__version__", "hookimpl", "DemoService",
    # the data model and the metadata model
    "DownloaderHints", "Duplicate", "Episode", "Identity", "Image", "Item", "Match", "Metadata",
    "ParsedName",
    "Person", "Placement", "Plan", "Priority", "Rating", "Season", "State", "Status", "Trace",
    # the metadata model's vocabulary: Person.department and Image.kind values
    "CAST", "DIRECTING", "FANART", "GUEST", "LOGO", "POSTER", "PRODUCTION", "SEASON_POSTER",
    "THUMB", "WRITING",
    # errors
    "ConfigError", "ItemError", "NotFoundError", "ShelverError",
    # the store and settings
    "Profile", "StateDB", "pid_alive",
    # crash-safe file operations and the journal's op registry
    "COPY_CHUNK", "FICLONE", "VERIFY", "DestinationExists", "JournalOps", "SourceChanged",
    "check_unchanged", "copy_owner", "copy_unchanged", "copy_verified", "fsync_dir",
    "held_unchanged", "journal_ops", "make_dirs", "place_file", "recover", "remember_owner", "restore_owner",
    "size_or_none", "start_stamp", "temp_name", "unlink_source",
    # names and files
    "Sidecars", "TEMP_MARKER", "VIDEO_EXTENSIONS", "clean_component", "companions_of",
    "fit_name", "is_image_path", "is_partial", "printable",
    # logs
    "redact", "shown_url",
    # media servers and notifications
    "Change", "Delivery", "DeliveryDeferred", "LoopbackRequest", "LoopbackServer", "announce",
    "check_service_section", "delivery_status", "map_path", "removed_changes", "send_now",
    # plugin commands
    "ConfigProblem", "UsageProblem", "load_with_plugins", "open_profile", "profile_option",
    # front ends (the web UI)
    "App", "check_profile", "config_home", "open_app", "status_report", "events_since",
    "latest_event_id", "run_progress", "accept_candidate", "check_provider", "check_waiting",
    "decide", "describe_identity", "ignore", "parse_identity", "parsed_name",
    # huge trees (`shelver assess`)
    "long_run_line",
]  # fmt: skip


def long_run_line(pm: Any, profile: Profile, videos: int) -> str | None:
    """The warning for ``videos`` files not identified yet when identifying them will take an
    hour or more by the providers' estimate (docs/operations.md, "Huge trees"), else None."""
    from shelver.engine.results import long_run_line as line

    return line(pm, profile, videos)


def send_now(ctx: RunContext, changes: list[Change], summary: dict[str, Any] | None = None
             ) -> list[tuple[Delivery, str | None, str | None]]:
    """:func:`announce` for a test: what fails is reported, not kept for later."""
    return announce(ctx, changes, summary, keep_failed=False)


# Imported on first use: ``hookimpl`` needs pluggy (which ``shelver hook`` never loads), the
# command-line helpers need click and the CLI module, the loopback server http.server (only
# the look-alikes of services use it, not every command that registers the plugins).
_ON_FIRST_USE = {
    "hookimpl": "shelver",
    "ConfigProblem": "shelver.cli",
    "UsageProblem": "shelver.cli",
    "open_profile": "shelver.cli",
    "profile_option": "shelver.cli",
    "App": "shelver.app", "open_app": "shelver.app", "check_profile": "shelver.profiles",
    "config_home": "shelver.paths", "status_report": "shelver.scans",
    "events_since": "shelver.store.events", "latest_event_id": "shelver.store.events",
    "run_progress": "shelver.store.events",
    **{name: "shelver.review" for name in (
        "accept_candidate", "check_provider", "check_waiting", "decide", "describe_identity",
        "ignore", "parse_identity", "parsed_name")},
    "LoopbackServer": "shelver.testing.loopback", "LoopbackRequest": "shelver.testing.loopback",
}
_RENAMED = {"LoopbackRequest": "Request"}  # its name in the module it comes from


def __getattr__(name: str) -> Any:
    module = _ON_FIRST_USE.get(name)
    if module is None:
        raise AttributeError(f"module 'shelver.api' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), _RENAMED.get(name, name))
    globals()[name] = value
    return value
