"""Errors that cross plugin boundaries, each mapped to an exit status by the CLI."""

from __future__ import annotations


class ShelverError(Exception):
    """Base class for errors shelver reports to the user."""


class ConfigError(ShelverError):
    """A usage or configuration error (exit status 2). The message names the setting and file."""


class StateDBError(ConfigError):
    """The state DB cannot be used (corrupt, read-only, written by a newer shelver): exit 2."""


def newer_db_message(path: object, unknown: list[str]) -> str:
    """What to say about a state DB with core migrations this version does not know."""
    more = f" and {len(unknown) - 1} more" if len(unknown) > 1 else ""
    return (f"state DB {path} was written by a newer shelver (migration {sorted(unknown)[0]} "
            f"unknown{more}): upgrade shelver, or point state_db at another file")


class ItemError(ShelverError):
    """One item failed; the run goes on with the others (exit status 1 at the end)."""


class NotFoundError(ItemError):
    """A remote resource (e.g. a TMDB id) does not exist: marks the item, not the run."""


# The exit status of a command stopped by Ctrl-C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED = 130


def user_facing(exc: BaseException) -> BaseException:
    """The one exception a person should hear about when ``exc`` is a (nested) exception group.

    trio's nurseries wrap what their tasks raise in groups; a user never sees one. Ctrl-C
    (KeyboardInterrupt) comes first, then a ConfigError, then any other ShelverError; anything
    else is returned as it is (a bug: its traceback is worth having).
    """
    if not isinstance(exc, BaseExceptionGroup):
        return exc
    leaves: list[BaseException] = []

    def collect(group: BaseExceptionGroup[BaseException]) -> None:
        for inner in group.exceptions:
            if isinstance(inner, BaseExceptionGroup):
                collect(inner)
            else:
                leaves.append(inner)

    collect(exc)
    for kind in (KeyboardInterrupt, ConfigError, ShelverError):
        for leaf in leaves:
            if isinstance(leaf, kind):
                return leaf
    return exc


class DeliveryDeferred(ShelverError):
    """Raised by ``shelver_deliver`` for a delivery that must wait (a media server playing a
    video): it is tried again after ``retry_seconds``, not counted as a failure."""

    def __init__(self, reason: str, retry_seconds: float = 30.0) -> None:
        super().__init__(reason)
        self.retry_seconds = retry_seconds
