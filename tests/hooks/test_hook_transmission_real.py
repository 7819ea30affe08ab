"""A real Transmission download on loopback ends with the file organised by the hook.

Two transmission-daemon processes with their own config folders and ports: one seeds a torrent
made with transmission-create from a small real video, the other downloads it with
``script-torrent-done-filename`` pointing at hooks/transmission.sh. A minimal HTTP tracker in
this module introduces them (DHT, LPD and PEX are off). Transmission refuses peers at 127.0.0.0/8
("martian" addresses), so the daemons meet at this host's own address instead: the kernel still
carries that traffic on the loopback interface, nothing leaves the host.

The Debian packages are installed here when missing (root and apt-get needed); without them the
test is skipped with the reason. It is marked ``slow`` and runs in CI with everything else.
"""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

import pytest

from tests import apt
from tests.hooks.hookhelp import (
    HOOKS,
    MATRIX,
    MATRIX_FOLDER,
    MATRIX_SECONDS,
    download,
    hook_env,
    library_files,
)

pytestmark = pytest.mark.slow

TOOLS = ("transmission-daemon", "transmission-create", "transmission-remote")
PACKAGES = ("transmission-daemon", "transmission-cli")


def install_transmission() -> str | None:
    """Install the Debian packages when missing; the reason they are unavailable, or None."""
    return apt.install(PACKAGES, TOOLS)


def local_address() -> str | None:
    """This host's own non-loopback IPv4 address (no packet is sent to find it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("10.255.255.255", 1))
        except OSError:
            return None
        address = str(sock.getsockname()[0])
    return None if address.startswith(("127.", "0.")) else address


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bencode(value: Any) -> bytes:
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, str):
        return bencode(value.encode())
    if isinstance(value, dict):
        return b"d" + b"".join(bencode(k) + bencode(value[k]) for k in sorted(value)) + b"e"
    raise TypeError(value)


class Tracker(ThreadingHTTPServer):
    """Just enough of a BitTorrent HTTP tracker: compact peer lists per info hash."""

    def __init__(self, peer_address: str) -> None:
        super().__init__(("127.0.0.1", 0), TrackerHandler)
        self.peer_address = peer_address  # where every peer of the test listens
        self.swarms: dict[bytes, dict[bytes, tuple[bytes, bool]]] = {}
        self.lock = threading.Lock()

    @property
    def announce(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/announce"


class TrackerHandler(BaseHTTPRequestHandler):
    server: Tracker

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path, _, query = self.path.partition("?")
        if path != "/announce":  # no scrape support: Transmission does without
            self.send_error(404)
            return
        params: dict[str, bytes] = {}
        for pair in query.split("&"):
            key, _, value = pair.partition("=")
            params[key] = unquote_to_bytes(value)
        info_hash, peer_id = params.get("info_hash", b""), params.get("peer_id", b"")
        port = int(params.get("port", b"0") or 0)
        address = socket.inet_aton(self.server.peer_address) + port.to_bytes(2, "big")
        seeding = params.get("left", b"1") == b"0"
        with self.server.lock:
            swarm = self.server.swarms.setdefault(info_hash, {})
            if params.get("event") == b"stopped":
                swarm.pop(peer_id, None)
            else:
                swarm[peer_id] = (address, seeding)
            peers = b"".join(a for p, (a, _s) in swarm.items() if p != peer_id)
            seeds = sum(1 for _a, s in swarm.values() if s)
        # The counts matter: with no leechers reported, Transmission takes every peer for a seed
        # and, PEX being off, two "seeds" hang up on each other at once.
        body = bencode({"interval": 5, "min interval": 1, "complete": seeds,
                        "incomplete": len(swarm) - seeds, "peers": peers})
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


class Daemon:
    """One transmission-daemon, in the foreground, with its own config folder and ports."""

    def __init__(self, root: Path, name: str, download_dir: Path, env: dict[str, str],
                 address: str, **settings: Any) -> None:
        self.config = root / f"{name}-config"
        self.config.mkdir(parents=True)
        self.rpc = free_port()
        self.peer = free_port()
        self.log = root / f"{name}.log"
        base = {"dht-enabled": False, "lpd-enabled": False, "pex-enabled": False,
                "utp-enabled": False, "port-forwarding-enabled": False,
                "rpc-authentication-required": False, "rpc-bind-address": "127.0.0.1",
                "rpc-whitelist-enabled": True, "rpc-whitelist": "127.0.0.1",
                "rpc-port": self.rpc, "peer-port": self.peer, "peer-port-random-on-start": False,
                "bind-address-ipv4": address, "download-dir": str(download_dir),
                "incomplete-dir-enabled": False, "start-added-torrents": True, "encryption": 1,
                "message-level": 2, "ratio-limit-enabled": False}
        (self.config / "settings.json").write_text(json.dumps({**base, **settings}), encoding="utf-8")
        self.process = subprocess.Popen(
            ["transmission-daemon", "--foreground", "--config-dir", str(self.config),
             "--logfile", str(self.log)], env=env, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while self.remote("-l").returncode != 0:
            assert self.process.poll() is None, self.log.read_text(errors="replace")
            assert time.monotonic() < deadline, "transmission-daemon did not answer its RPC port"
            time.sleep(0.2)

    def remote(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["transmission-remote", f"127.0.0.1:{self.rpc}", *args],
                              capture_output=True, text=True, timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
def transmission() -> str:
    """This host's address for the peers, once the Debian packages are there."""
    reason = install_transmission()
    if reason is not None:
        pytest.skip(reason)
    address = local_address()
    if address is None:
        pytest.skip("no non-loopback IPv4 address: Transmission refuses peers at 127.0.0.0/8")
    return address


@pytest.fixture
def tracker(transmission: str) -> Iterator[Tracker]:
    server = Tracker(transmission)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_real_transmission_download_is_organised_by_the_hook(
        transmission: str, tracker: Tracker, tmp_path: Path, make_profile: Any) -> None:
    profile = make_profile("nd", action="hardlink")  # keep seeding, as torrent users do
    seed_dir, leech_dir = tmp_path / "seed", tmp_path / "downloads"
    content = download(seed_dir, MATRIX, MATRIX_SECONDS)
    (content / f"{MATRIX}.nfo.txt").write_text("release notes\n", encoding="utf-8")
    torrent = tmp_path / f"{MATRIX}.torrent"
    made = subprocess.run(["transmission-create", "-o", str(torrent), "-t", tracker.announce,
                           str(content)], capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    env = hook_env(SHELVER_PROFILE=str(profile))  # what the leecher's done-script inherits
    daemons: list[Daemon] = []
    try:
        seeder = Daemon(tmp_path, "seeder", seed_dir, env, transmission)
        daemons.append(seeder)
        added = seeder.remote("-a", str(torrent), "-w", str(seed_dir))
        assert added.returncode == 0, added.stdout + added.stderr
        seeder.remote("-t", "all", "--verify")
        leecher = Daemon(tmp_path, "leecher", leech_dir, env, transmission,
                         **{"script-torrent-done-enabled": True,
                            "script-torrent-done-filename": str(HOOKS / "transmission.sh")})
        daemons.append(leecher)
        added = leecher.remote("-a", str(torrent))
        assert added.returncode == 0, added.stdout + added.stderr
        deadline = time.monotonic() + 60
        placed: list[Path] = []
        while time.monotonic() < deadline and not placed:
            time.sleep(0.5)
            placed = library_files(tmp_path / "library")
        status = leecher.remote("-t", "all", "-i").stdout
    finally:
        for daemon in daemons:
            daemon.stop()
    logs = "\n".join(p.read_text(errors="replace")[-2000:] for p in tmp_path.glob("*.log"))
    assert [p.parent.name for p in placed] == [MATRIX_FOLDER], f"{status}\n{logs}"
    downloaded = leech_dir / MATRIX / f"{MATRIX}.mkv"
    assert placed[0].read_bytes() == (content / f"{MATRIX}.mkv").read_bytes()
    assert downloaded.exists() and downloaded.stat().st_ino == placed[0].stat().st_ino  # still seeding
    assert (placed[0].parent / f"{placed[0].stem}.nfo").is_file()
