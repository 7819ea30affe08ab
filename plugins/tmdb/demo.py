"""What the TMDB plugin brings to ``shelver demo`` and ``shelver profile``: the bundled TMDB
snapshot served on loopback by the look-alike, and the settings a new profile spells out."""

from __future__ import annotations

import contextlib
import os
from typing import Any

from shelver.api import ConfigError, DemoService

# ``shelver profile init`` writes these (the key to fill in, the settings most often changed).
PROFILE_TEMPLATE = {"tmdb": {"api_key": "", "min_confidence": 0.75, "rate": "35/10s"}}


def missing_key_warning(profile: Any) -> str | None:
    """The warning ``shelver profile check`` shows when no key is set anywhere."""
    if (os.environ.get("TMDB_API_KEY") or os.environ.get("TMDB_READ_TOKEN")
            or profile.get("tmdb.api_key") or profile.get("tmdb.read_token")):
        return None
    return (f"no TMDB key: set tmdb.api_key or tmdb.read_token ({profile.where('tmdb')}) or export "
            f"TMDB_API_KEY; a run stops at start without one")


def start_look_alike(stack: contextlib.ExitStack, serve: bool, port: int) -> DemoService:
    """Serve the bundled snapshot on loopback until ``stack`` closes."""
    from shelver.plugins.tmdb.fake.tmdb_server import FakeTMDB

    if not serve:
        server = FakeTMDB()
        server.start()
        stack.callback(server.stop)
        # The demo's own key: a real key in the environment must not be sent to the fake.
        os.environ["TMDB_API_KEY"] = server.api_key
        os.environ.pop("TMDB_READ_TOKEN", None)
        return DemoService({"tmdb": {"base_url": server.base_url}},
                           f"TMDB snapshot served at {server.base_url}")
    # TMDB_API_KEY / TMDB_READ_TOKEN in the environment win over a profile's key: the look-alike
    # accepts them, so an exported real key works too (it never leaves this machine).
    server = FakeTMDB(api_key=os.environ.get("TMDB_API_KEY") or "demo-key",
                      read_token=os.environ.get("TMDB_READ_TOKEN") or "demo-token", port=port)
    try:
        server.start()
    except OSError as exc:
        raise ConfigError(f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}") from None
    stack.callback(server.stop)
    catalogue = server.catalogue
    return DemoService(
        {"tmdb": {"base_url": server.base_url, "api_key": "demo-key"}},
        f"TMDB snapshot ({len(catalogue.movies)} movies, {len(catalogue.shows)} shows) "
        f"served at {server.base_url}",
        "(only titles in the snapshot are recognised; the rest wait in review)")
