"""Errors that cross plugin boundaries, each mapped to an exit status by the CLI."""

from __future__ import annotations


class ShelverError(Exception):
    """Base class for errors shelver reports to the user."""


class ConfigError(ShelverError):
    """A usage or configuration error (exit status 2). The message names the setting and file."""


class ItemError(ShelverError):
    """One item failed; the run goes on with the others (exit status 1 at the end)."""


class NotFoundError(ItemError):
    """A remote resource (e.g. a TMDB id) does not exist: marks the item, not the run."""
