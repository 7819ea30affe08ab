"""Debian packages a test needs (a real Transmission, Redis, Chromium), installed with apt-get when
missing: CI starts from a clean machine, and these are the real parts, not stand-ins."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

POLICY = Path("/usr/sbin/policy-rc.d")


def install(packages: Iterable[str], provides: Iterable[str], *, timeout: float = 900) -> str | None:
    """Install ``packages`` unless every path or command in ``provides`` is already there; the
    reason they are unavailable, or None. A package's own system service never starts (a
    policy-rc.d that says so, only during the install, only if the system has none)."""
    packages, provides = tuple(packages), tuple(provides)
    names = "/".join(packages)

    def missing() -> list[str]:
        return [p for p in provides if not (os.path.exists(p) if os.sep in p else shutil.which(p))]

    if not missing():
        return None
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return f"{names} not installed and cannot be (root and apt-get needed)"
    created = not POLICY.exists()
    if created:
        POLICY.write_text("#!/bin/sh\nexit 101\n", encoding="utf-8")
        POLICY.chmod(0o755)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    command = ["apt-get", "install", "-y", "--no-install-recommends", *packages]
    try:
        if subprocess.run(command, env=env, capture_output=True, timeout=timeout).returncode != 0:
            subprocess.run(["apt-get", "update"], env=env, capture_output=True, timeout=600)
            proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
            if proc.returncode != 0:
                return f"apt-get install {' '.join(packages)} failed: {proc.stderr[-500:]}"
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"apt-get install {' '.join(packages)} failed: {exc}"
    finally:
        if created:
            POLICY.unlink(missing_ok=True)
    still = missing()
    return f"still missing after apt-get install: {', '.join(still)}" if still else None
