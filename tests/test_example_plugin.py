"""The third-party example plugin in examples/shelver-example-plugin, installed with pip.

It is installed into a temporary target (never into the test venv) and found the way a user's
plugin is: through the ``shelver`` entry-point group, with ``SHELVER_LOAD_PLUGINS=example``.
Exercised end to end: ``shelver_config_schema`` ([example] log_file), ``shelver_register_modes``
and ``shelver_plan_destination`` + ``shelver_place`` (the copy-flat mode), ``shelver_item_done``
(the JSON-lines log), ``shelver_register_commands`` (``shelver example-hello``) and
``shelver_run_check`` (a missing log folder is a configuration error).

The wheel is built here with the standard library, from the package's own pyproject.toml (its
name, version, ``[project.entry-points.shelver]`` and ``[tool.setuptools] packages``): a fresh
``make test`` venv has no ``wheel`` package (and from Python 3.12 no setuptools), and tests
never touch the network. pip then installs that wheel exactly as it would a downloaded one.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, json_lines, shelver

EXAMPLE = REPO / "examples" / "shelver-example-plugin"
MATRIX = "The.Matrix.1999.1080p.BluRay.x264-GRP/The.Matrix.1999.1080p.BluRay.x264-GRP.mkv"


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def build_wheel(project: Path, out_dir: Path) -> Path:
    """A pure-Python wheel (PEP 427) of ``project``, from its pyproject.toml alone."""
    meta = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    info = meta["project"]
    name, version = info["name"], info["version"]
    dist = re.sub(r"[-_.]+", "_", name)
    dist_info = f"{dist}-{version}.dist-info"
    files: dict[str, bytes] = {}
    for package in meta["tool"]["setuptools"]["packages"]:
        package_dir = project / package.replace(".", "/")
        for source in sorted(package_dir.glob("*.py")):
            files[f"{package.replace('.', '/')}/{source.name}"] = source.read_bytes()
    metadata = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    metadata += [f"Requires-Dist: {req}" for req in info.get("dependencies", [])]
    files[f"{dist_info}/METADATA"] = ("\n".join(metadata) + "\n").encode()
    files[f"{dist_info}/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: shelver-tests\n"
                                   b"Root-Is-Purelib: true\nTag: py3-none-any\n")
    groups = info.get("entry-points", {})
    entry_points = "".join(
        f"[{group}]\n" + "".join(f"{key} = {value}\n" for key, value in points.items()) + "\n"
        for group, points in groups.items())
    files[f"{dist_info}/entry_points.txt"] = entry_points.encode()
    record = [f"{path},{_record_hash(data)},{len(data)}" for path, data in files.items()]
    files[f"{dist_info}/RECORD"] = ("\n".join([*record, f"{dist_info}/RECORD,,"]) + "\n").encode()
    wheel = out_dir / f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return wheel


def pip_install(project: Path, tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """``project`` built as a wheel and installed with pip into a private target folder."""
    build = tmp_path_factory.mktemp(f"{name}-build")
    target = tmp_path_factory.mktemp(f"{name}-site")
    wheel = build_wheel(project, build)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--no-compile",
         "--disable-pip-version-check", "--quiet", "--target", str(target), str(wheel)],
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return target


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example installed with pip into a private target folder; returns that folder."""
    target = pip_install(EXAMPLE, tmp_path_factory, "example")
    assert (target / "shelver_example_plugin" / "__init__.py").is_file()
    return target


def env_with(installed: Path, load: str = "example") -> dict[str, str]:
    return {"PYTHONPATH": str(installed), "SHELVER_LOAD_PLUGINS": load}


def test_pyproject_declares_the_entry_point() -> None:
    meta = tomllib.loads((EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["project"]["entry-points"]["shelver"] == {"example": "shelver_example_plugin"}
    assert (EXAMPLE / "README.md").is_file()


def test_listed_as_an_entry_point_plugin(installed: Path) -> None:
    done = shelver("plugins", "--json", env=env_with(installed))
    assert done.returncode == 0, done.stderr
    plugins = {entry["name"]: entry for entry in json_lines(done.stdout)}
    assert plugins["example"]["origin"].startswith("entry point")
    assert "shelver-example-plugin 0.1.0" in plugins["example"]["origin"]
    assert set(plugins["example"]["hooks"]) >= {
        "shelver_config_schema", "shelver_register_modes", "shelver_place",
        "shelver_item_done", "shelver_register_commands"}
    assert {"parse", "mediainfo", "tmdb", "naming", "placement", "nfo"} <= set(plugins)


def test_not_loaded_when_the_environment_says_none(installed: Path) -> None:
    done = shelver("plugins", "--json", env=env_with(installed, load=""))
    assert done.returncode == 0, done.stderr
    assert "example" not in {entry["name"] for entry in json_lines(done.stdout)}


def test_adds_a_command(installed: Path) -> None:
    done = shelver("example-hello", "Ada", env=env_with(installed))
    assert done.returncode == 0, done.stderr
    assert "Hello, Ada!" in done.stdout
    listed = shelver("--help", env=env_with(installed))
    assert "example-hello" in listed.stdout
    missing = shelver("example-hello", env=env_with(installed, load=""))
    assert missing.returncode == 2
    assert "example-hello" in missing.stderr


def test_copy_flat_mode_and_item_log(installed: Path, tmp_path: Path, make_profile: Any,
                                     video: Any) -> None:
    log_file = tmp_path / "logs" / "items.jsonl"
    log_file.parent.mkdir()
    profile = make_profile(mode="copy-flat", example={"log_file": str(log_file)})
    source = video(tmp_path / "downloads" / MATRIX, 8160)
    size = source.stat().st_size

    done = shelver("run", "-p", str(profile), "--json", env=env_with(installed))
    assert done.returncode == 0, done.stderr
    [result] = json_lines(done.stdout)
    flat = tmp_path / "library" / "The Matrix (1999).mkv"
    assert result["status"] == "organised", result
    assert result["mode"] == "copy-flat"
    assert result["tmdb"] == {"type": "movie", "id": 603}
    assert result["destination"] == str(flat)
    # copied, not moved: the download is still there, the copy is whole
    assert source.is_file() and flat.is_file()
    assert flat.stat().st_size == size
    assert not list((tmp_path / "library").glob(".*"))  # no temp file left behind

    [logged] = [json.loads(line) for line in log_file.read_text(encoding="utf-8").splitlines()]
    assert logged["source"] == str(source)
    assert logged["status"] == "organised"
    assert logged["identity"] == "tmdb:movie/603"


def test_log_written_for_every_status(installed: Path, tmp_path: Path, make_profile: Any,
                                      video: Any) -> None:
    log_file = tmp_path / "items.jsonl"
    profile = make_profile(mode="copy-flat", example={"log_file": "items.jsonl"})  # relative
    video(tmp_path / "downloads" / "xqzv.wplk.mkv", 30)  # nothing on TMDB looks like this
    done = shelver("run", "-p", str(profile), "--json", env=env_with(installed))
    assert done.returncode == 0, done.stderr
    [result] = json_lines(done.stdout)
    [logged] = [json.loads(line) for line in log_file.read_text(encoding="utf-8").splitlines()]
    assert logged["status"] == result["status"] == "review"
    assert logged["identity"] is None


def test_missing_log_folder_is_a_configuration_error(installed: Path, tmp_path: Path,
                                                     make_profile: Any, video: Any) -> None:
    profile = make_profile(mode="copy-flat",
                           example={"log_file": str(tmp_path / "nowhere" / "items.jsonl")})
    source = video(tmp_path / "downloads" / MATRIX, 8160)
    done = shelver("run", "-p", str(profile), env=env_with(installed))
    assert done.returncode == 2
    assert "example.log_file" in done.stderr and str(profile) in done.stderr
    assert source.is_file() and not (tmp_path / "library").exists()


def test_unknown_key_in_its_section_is_an_error(installed: Path, tmp_path: Path,
                                                make_profile: Any) -> None:
    profile = make_profile(mode="copy-flat", example={"log_fiel": "x.jsonl"})
    done = shelver("profile", "check", "-p", str(profile), env=env_with(installed))
    assert done.returncode == 2
    assert "example.log_fiel" in done.stderr and str(profile) in done.stderr


def test_without_the_plugin_the_mode_does_not_exist(installed: Path, tmp_path: Path,
                                                    make_profile: Any, video: Any) -> None:
    profile = make_profile(mode="copy-flat")
    source = video(tmp_path / "downloads" / MATRIX, 8160)
    done = shelver("run", "-p", str(profile), env={"SHELVER_LOAD_PLUGINS": ""})
    assert done.returncode == 2
    assert "copy-flat" in done.stderr
    assert source.is_file() and not (tmp_path / "library").exists()


def test_other_modes_are_left_to_their_plugins(installed: Path, tmp_path: Path,
                                               make_profile: Any, video: Any) -> None:
    """With the plugin loaded, the built-in ``inplace`` mode still places by the naming plugin."""
    profile = make_profile(mode="inplace")
    video(tmp_path / "downloads" / MATRIX, 8160)
    done = shelver("run", "-p", str(profile), "--json", env=env_with(installed))
    assert done.returncode == 0, done.stderr
    [result] = json_lines(done.stdout)
    assert result["mode"] == "inplace" and result["status"] == "organised", result
    assert "{tmdb-603}" in result["destination"]
    assert os.path.isfile(result["destination"])
