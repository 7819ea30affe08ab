"""Where shelver's files are: the user's config and data folders, and how ``--profile NAME``
finds a profile file.

DESIGN's resolution order: a path if it is one, else ``./profiles/NAME.toml``, else
``$XDG_CONFIG_HOME/shelver/profiles/NAME.toml``. On Linux and the BSDs the XDG variables are
read directly (platformdirs' own rule, without importing it: ``shelver hook`` starts on every
finished download); elsewhere platformdirs decides.
"""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path
from typing import Any


def _xdg(variable: str, default: str) -> Path:
    if sys.platform == "darwin" or os.name != "posix":
        import platformdirs  # not the XDG layout: let platformdirs decide

        finder = platformdirs.user_config_dir if variable == "XDG_CONFIG_HOME" else \
            platformdirs.user_data_dir
        return Path(finder("shelver", appauthor=False))
    # platformdirs' Unix rule: the variable unless it is blank, else the default under ~.
    base = os.environ.get(variable, "")
    if not base.strip():
        base = os.path.expanduser(default)
    return Path(base) / "shelver"


def config_home() -> Path:
    """The user's shelver config folder (profiles live in its ``profiles/``)."""
    return _xdg("XDG_CONFIG_HOME", "~/.config")


def data_home() -> Path:
    """The user's shelver data folder (the default state DB lives there)."""
    return _xdg("XDG_DATA_HOME", "~/.local/share")


def profile_candidates(name: str) -> list[Path]:
    """Where a profile named ``name`` is looked for, in DESIGN's resolution order: the path
    itself; for a bare name, also ``./profiles/NAME.toml`` and the user's profiles folder."""
    candidates = [Path(name).expanduser()]
    if not name.endswith(".toml") and os.sep not in name:
        candidates += [Path("profiles") / f"{name}.toml", config_home() / "profiles" / f"{name}.toml"]
    return candidates


def resolve_profile_path(name: str) -> Path | None:
    """Find a profile file by DESIGN's resolution order; None when there is none."""
    for candidate in profile_candidates(name):
        if candidate.is_file():
            return candidate.resolve()
    return None


def read_profile_file(name: str | None, path: Path | None = None) -> tuple[Path | None, dict[str, Any]]:
    """The profile file ``name`` resolves to (``path`` when the caller found it already) and
    its TOML; ``(None, {})`` for the built-in default. ConfigError names what is wrong."""
    from shelver.errors import ConfigError

    if path is None:
        path = resolve_profile_path(name or "default")
    if path is None and name:
        looked = [str(c) if c.is_absolute() else f"./{c}" for c in profile_candidates(name)]
        where = looked[0] if len(looked) == 1 else ", ".join(looked[:-1]) + " and " + looked[-1]
        raise ConfigError(f"profile {name!r} not found (looked for {where})")
    if path is None:
        return None, {}
    try:
        return path, tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read profile {path}: {exc.strerror}") from None
