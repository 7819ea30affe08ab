"""A real ``redis-server`` on loopback for the tests and ``bench/hosts.py``.

The Debian package is installed when missing (root and apt-get needed, as the real-Transmission
test does); the server runs on a free 127.0.0.1 port with no persistence (no RDB, no AOF) in a
folder of its own, and is stopped afterwards.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

PACKAGE = "redis-server"
POLICY = Path("/usr/sbin/policy-rc.d")


def install_redis() -> str | None:
    """Install ``redis-server`` when missing; the reason it is unavailable, or None."""
    if shutil.which("redis-server"):
        return None
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return "redis-server is not installed and cannot be (root and apt-get needed)"
    # The package's own system service must not start: a policy that says so, only for the
    # install, and only if the system has none of its own.
    created = not POLICY.exists()
    if created:
        POLICY.write_text("#!/bin/sh\nexit 101\n", encoding="utf-8")
        POLICY.chmod(0o755)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", PACKAGE]
    try:
        if subprocess.run(install, env=env, capture_output=True, timeout=600).returncode != 0:
            subprocess.run(["apt-get", "update"], env=env, capture_output=True, timeout=600)
            proc = subprocess.run(install, env=env, capture_output=True, text=True, timeout=600)
            if proc.returncode != 0:
                return f"apt-get install {PACKAGE} failed: {proc.stderr[-500:]}"
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"apt-get install {PACKAGE} failed: {exc}"
    finally:
        if created:
            POLICY.unlink(missing_ok=True)
    return None if shutil.which("redis-server") else "redis-server still missing after apt-get install"


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
