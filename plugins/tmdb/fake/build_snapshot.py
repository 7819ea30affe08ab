"""Rebuild ``tmdb_snapshot.json`` (what the loopback TMDB serves) and the test corpus from their
reviewable sources: ``snapshot_movies.py``, ``snapshot_tv.py``, ``tests/corpus/{movies,tv}.json``.

Run from the repository root: ``python -m shelver.plugins.tmdb.fake.build_snapshot``.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def build() -> dict[str, object]:
    from shelver.plugins.tmdb.fake.snapshot_more import translate
    from shelver.plugins.tmdb.fake.snapshot_movies import movies
    from shelver.plugins.tmdb.fake.snapshot_tv import seasons, shows

    snapshot: dict[str, object] = {"movies": movies(), "tv": shows(), "seasons": seasons()}
    translate(snapshot)
    return snapshot


def main() -> None:
    snapshot = build()
    target = HERE / "tmdb_snapshot.json"
    target.write_text(json.dumps(snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
                      encoding="utf-8")
    print(f"{target}: {len(snapshot['movies'])} movies, {len(snapshot['tv'])} shows")  # type: ignore[arg-type]
    corpus_dir = HERE.parents[1] / "tests" / "corpus"
    if corpus_dir.is_dir():
        entries = []
        for part in ("movies.json", "tv.json"):
            entries += json.loads((corpus_dir / part).read_text(encoding="utf-8"))
        (corpus_dir / "release_names.json").write_text(
            json.dumps(entries, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"{corpus_dir / 'release_names.json'}: {len(entries)} entries")


if __name__ == "__main__":
    main()
