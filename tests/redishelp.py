"""A real ``redis-server`` on loopback for the tests and ``bench/hosts.py``.

The Debian package is installed when missing (root and apt-get needed, as the real-Transmission
test does); the server runs on a free 127.0.0.1 port with no persistence (no RDB, no AOF) in a
folder of its own, and is stopped afterwards.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests import apt

PACKAGE = "redis-server"


def install_redis() -> str | None:
    """Install ``redis-server`` when missing; the reason it is unavailable, or None."""
    return apt.install([PACKAGE], ["redis-server"])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """One ``redis-server`` process: :meth:`start`, :meth:`stop`; ``url`` names it."""

    def __init__(self, folder: Path, password: str | None = None) -> None:
        self.folder = folder
        self.password = password
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", str(self.folder), "--daemonize", "no",
                "--logfile", str(self.folder / "redis.log")]
        if self.password:
            argv += ["--requirepass", self.password]
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (self.folder / "redis.log").read_text(errors="replace")[-500:]
                raise RuntimeError(f"redis-server exited ({self.process.returncode}): {log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(64):
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not answer within 15 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


PASSWORD = "s3cret-redis-pw"  # the shared server's: tests check it is never shown


def shared_server(tmp_path_factory: Any) -> Iterator[RedisServer]:
    """The body of the session's ``redis_server`` fixture (tests/plugins/conftest.py): one
    password-protected server for every Redis test of a worker; skips when none can be had."""
    import pytest

    why = install_redis()
    if why:
        pytest.skip(why)
    server = RedisServer(tmp_path_factory.mktemp("redis"), password=PASSWORD).start()
    yield server
    server.stop()
