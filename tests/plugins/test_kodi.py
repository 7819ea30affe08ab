"""The ``kodi`` plugin against the Kodi look-alike, in process: JSON-RPC scans per folder, one
clean after removals, one scan of everything for a backlog run, waiting while a video plays,
a JSON-RPC error (docs/media-servers.md, "Kodi")."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from shelver.api import Change, Delivery, DeliveryDeferred
from shelver.plugins.kodi import plugin as kodi
from shelver.plugins.kodi.fake import FakeKodi


@pytest.fixture
def server() -> Iterator[FakeKodi]:
    with FakeKodi() as fake:
        yield fake


def settings(server: FakeKodi, **more: Any) -> dict[str, Any]:
    return {"url": server.base_url, "password": "kodi-password",
            "path_map": {"/lib": "smb://nas/media"}, **more}


def test_scans_per_folder_then_one_clean(make_ctx: Any, server: FakeKodi) -> None:
    ctx = make_ctx(kodi=settings(server))
    changes = [Change("/lib/TV/Show/Season 01", "created"), Change("/lib/TV/Show", "modified"),
               Change("/lib/Movies/X", "deleted"), Change("/lib/Movies/Y", "deleted")]
    deliveries = kodi.shelver_library_changed(changes, ctx)
    for delivery in deliveries:
        assert kodi.shelver_deliver(delivery, ctx) in ("VideoLibrary.Scan: OK",
                                                       "VideoLibrary.Clean: OK")
    assert [(c["method"], c.get("params")) for c in server.calls()] == [
        ("VideoLibrary.Scan", {"directory": "smb://nas/media/TV/Show/", "showdialogs": False}),
        ("VideoLibrary.Clean", {"showdialogs": False})]


def test_a_backlog_run_is_one_scan_of_everything(make_ctx: Any, server: FakeKodi) -> None:
    ctx = make_ctx(kodi=settings(server, max_scans=2))
    changes = [Change(f"/lib/Movies/M{n}", "created") for n in range(3)]
    (delivery,) = kodi.shelver_library_changed(changes, ctx)
    kodi.shelver_deliver(delivery, ctx)
    assert [(c["method"], c.get("params")) for c in server.calls()] == [
        ("VideoLibrary.Scan", {"showdialogs": False})]


def test_a_scan_waits_while_a_video_plays(make_ctx: Any, server: FakeKodi) -> None:
    ctx = make_ctx(kodi=settings(server, skip_while_playing=True))
    (delivery,) = kodi.shelver_library_changed([Change("/lib/Movies/X", "created")], ctx)
    server.playing = True
    with pytest.raises(DeliveryDeferred):
        kodi.shelver_deliver(delivery, ctx)
    assert server.calls("VideoLibrary.Scan") == []
    server.playing = False
    assert kodi.shelver_deliver(delivery, ctx) == "VideoLibrary.Scan: OK"


def test_a_json_rpc_error_and_a_refused_password_fail_the_delivery(make_ctx: Any,
                                                                   server: FakeKodi) -> None:
    ctx = make_ctx(kodi=settings(server))
    odd = Delivery("kodi", "kodi", "odd", {"method": "VideoLibrary.Nope"})
    with pytest.raises(kodi.KodiError, match="error -32601: Method not found"):
        kodi.shelver_deliver(odd, ctx)
    ctx = make_ctx(kodi=settings(server, password="wrong-password"))
    (delivery,) = kodi.shelver_library_changed([Change("/lib/Movies/X", "created")], ctx)
    with pytest.raises(PermissionError) as refused:
        kodi.shelver_deliver(delivery, ctx)
    assert "wrong-password" not in str(refused.value)
