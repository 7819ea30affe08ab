"""One daemon per profile per host: an advisory file lock beside the state DB."""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Self

from shelver.errors import ConfigError

if TYPE_CHECKING:
    from shelver.profiles import Profile


def lock_path(profile: Profile) -> Path:
    """One lock file per profile name, beside the state DB the instances share.

    A name with other characters than letters, digits, ``_.-`` gets a short digest of the exact
    name too, so "new downloads" and "new_downloads" never share a lock.
    """
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", profile.name)
    if safe != profile.name:
        safe += "-" + hashlib.sha1(profile.name.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return Path(profile.state_db).parent / "locks" / f"{safe}.lock"


class ProfileLock:
    """Held for a daemon's whole life; released by the kernel if the process dies."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.path = lock_path(profile)
        self.handle: IO[str] | None = None

    def __enter__(self) -> Self:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise ConfigError(
                f"profile {self.profile.name!r} is already being watched (pid {holder}; lock "
                f"{self.path}): one daemon per profile; stop it first, or watch another profile"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self.handle = handle
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None
