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
from pathlib import Path


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


def resolve_profile_path(name: str) -> Path | None:
    """Find a profile file by DESIGN's resolution order; None when there is none."""
    candidates = [Path(name).expanduser()]
    if not name.endswith(".toml") and os.sep not in name:
        candidates += [Path("profiles") / f"{name}.toml", config_home() / "profiles" / f"{name}.toml"]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    return None
