"""The application layer: a profile, its plugin manager and the state DB, opened once.

What every front end calls: the command line (:mod:`shelver.cli`), ``shelver demo``
(:mod:`shelver.demo`), the downloader intake when it processes a download itself
(:mod:`shelver.intake.inline`) and the web UI (plugin ``web``). None of them builds a plugin manager or
opens the state DB on its own; they open an :class:`App` and hand it to the engine
(docs/architecture.md, "Layers").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shelver.profiles import Profile, load_with_plugins, state_migrations
from shelver.store import StateDB

if TYPE_CHECKING:
    from shelver.engine import Engine
    from shelver.manager import ShelverPluginManager


@dataclass
class App:
    """One profile's plugin manager and state DB (shared by every profile on the host)."""

    profile: Profile
    pm: ShelverPluginManager
    state: StateDB

    @property
    def warnings(self) -> list[str]:
        """Plugins that could not be used (named, with why): shown, never fatal."""
        return list(self.pm.load_errors)

    def engine(self, **options: Any) -> Engine:
        """The engine for this profile (options: ``mode``, ``dry_run``, ``command``,
        ``on_result``, ``on_total``). Raises ConfigError when the profile cannot run."""
        from shelver.engine import Engine

        return Engine(self.profile, self.pm, self.state, **options)

    def close(self) -> None:
        self.state.close()


def open_app(profile_name: str | None) -> App:
    """Load ``profile_name`` (a name, a path, or None for the default) with the plugins it asks
    for, and open the state DB with every plugin's migrations. Raises ConfigError (a
    StateDBError for the DB) with a message naming the setting and the file."""
    profile, pm = load_with_plugins(profile_name)
    return App(profile, pm, StateDB(profile.state_db, state_migrations(pm)))


def load_plugins(profile_name: str | None) -> tuple[Profile, ShelverPluginManager]:
    """The profile and its plugin manager, without the state DB (``shelver plugins``,
    ``shelver profile check``). Raises ConfigError."""
    profile, pm = load_with_plugins(profile_name)
    return profile, pm
