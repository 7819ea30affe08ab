"""Build tests/data/state-v1.db with the shelver of commit ece0cd8 (see tests/data/README.md).

Run as: HOME=$(mktemp -d) SHELVER_LOAD_PLUGINS= .venv/bin/python tests/data/make_state_v1.py OUT.db
"""
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import tomli_w
from shelver.plugins.tmdb.fake.tmdb_server import FakeTMDB
from shelver.testing.media import make_video

ROOT = Path("/tmp/shelver-v1")
shutil.rmtree(ROOT, ignore_errors=True)
downloads, library = ROOT / "downloads", ROOT / "library"
make_video(downloads / "The.Matrix.1999.1080p.BluRay.x264-GRP" / "The.Matrix.1999.1080p.BluRay.x264-GRP.mkv", 8160)
make_video(downloads / "Breaking.Bad.S05E14.Ozymandias.1080p.WEB-DL.mkv", 2820, seed=1)
make_video(downloads / "Totally.Unknown.Home.Video.2031.mkv", 600, seed=2)
with FakeTMDB() as tmdb:
    profile = ROOT / "v1.toml"
    profile.write_text(tomli_w.dumps({
        "name": "v1", "mode": "inplace", "sources": [str(downloads)], "dest_dir": str(library),
        "state_db": str(ROOT / "state.db"), "filters": {"min_size_mb": 0},
        "plugins": {"disable": ["phash"]},
        "tmdb": {"base_url": tmdb.base_url, "api_key": tmdb.api_key}}))
    bin_dir = Path(sys.executable).parent
    proc = subprocess.run([str(bin_dir / "shelver"), "run", str(downloads), "-p", str(profile), "--json"],
                          capture_output=True, text=True)
    print(proc.returncode, proc.stdout, proc.stderr[-2000:])
out = Path(sys.argv[1])
shutil.copy(ROOT / "state.db", out)
with sqlite3.connect(out) as conn:
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("DELETE FROM tmdb_rate_log")
conn = sqlite3.connect(out)
conn.execute("VACUUM")
conn.close()
