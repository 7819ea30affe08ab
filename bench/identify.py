"""Identification benchmark: the project's corpus, per category, against a naive baseline.

Run: ``.venv/bin/python bench/identify.py`` (about a minute: three passes). Every video name of
``tests/corpus/release_names.json`` and ``tests/corpus/categories.json`` (anime and absolute
numbering, query variants, specials by name, explicit ids, folder-only names, traps,
collections and editions: docs/identification.md) is parsed by the ``parse`` plugin and
identified by the ``tmdb`` plugin's matcher against the loopback TMDB look-alike, with the
probed duration each entry records. Printed:

- per category: identities right, wrong (a misfile), expected ones left for review, and the
  "must not be organised" names left in review as they should be;
- API requests against the lower bound (2 per distinct film, 2 + 1 per season on disk per
  distinct show, over the identities the corpus expects; every query variant is a request and
  counts), for the categories alone and for the whole corpus;
- the same for the whole corpus with the look-alike answering as the real TMDB does on volume
  (``FakeTMDB(crowd=...)``: every search without a year cut short, people in the multi search),
  so that no saving that exists only because the look-alike is small is counted;
- the naive baseline in the same run: the first result of one search for the title (with the
  year for a film; season and episode as the name says), as a tool without scoring does.

With ``--names``, every name that cost more requests than its share of the bound (2 for the
first name of a film, 2 for the first of a show and 1 for the first of each of its seasons, 0
for the others and for names that rightly end in review) is listed with the requests it sent.

Exits 0; prints ``over target`` beside a figure that misses its target. ``tests/plugins/
test_tmdb_categories.py`` runs :func:`evaluate` on the categories and asserts the targets.
"""

from __future__ import annotations

import collections
import json
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CATEGORIES = REPO / "tests" / "corpus" / "categories.json"
RELEASE_NAMES = REPO / "tests" / "corpus" / "release_names.json"
ROOT = Path("/downloads")
MIN_CONFIDENCE = 0.75
TARGET_RATIO = 1.1
# Real TMDB holds ~1M works: a search without a year for a common word reports hundreds of
# results on many pages ("heat": 312 on 16). The second pass answers so (FakeTMDB(crowd=...)).
REAL_CROWD = 300


def load(path: Path, category: str | None = None) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    for entry in entries:
        entry.setdefault("category", category or "release names")
    return entries


def lower_bound(entries: list[dict[str, Any]]) -> int:
    """2 per distinct film, 2 + 1 per season per distinct show (DESIGN, TMDB budget)."""
    films: set[int] = set()
    seasons: dict[int, set[int]] = collections.defaultdict(set)
    for entry in entries:
        if entry["expect"]["status"] != "organised":
            continue
        want = entry["expect"]["tmdb"]
        if want["type"] == "movie":
            films.add(want["id"])
        else:
            seasons[want["id"]].add(want["season"])
    return 2 * len(films) + sum(2 + len(s) for s in seasons.values())


def floor(entries: list[dict[str, Any]]) -> int:
    """The fewest requests for the corpus by any tool that, like shelver, (a) sees the rivals of
    a spelling without a year (a known "Heat (1995)" says nothing of the other films named Heat,
    so a bare ``heat.avi`` is searched) and (b) sends at least one request for each name that
    rightly ends in review (an unknown or ambiguous title is only known to be one once asked):
    the lower bound, plus one search per further spelling without a year of a work already
    named, plus one per search key of the review names that no organised name shares. A
    spelling with a year may be answered from memory (:mod:`shelver.plugins.tmdb.known`) and
    costs nothing here; an id costs its lookup."""
    from shelver.plugins.parse.name import parse_release
    from shelver.plugins.tmdb.variants import broad, query_text

    def key(parsed: Any) -> tuple[Any, ...] | None:
        if parsed.ids:
            return ("ids", tuple(sorted(parsed.ids.items())))
        if not parsed.title:
            return None
        kind = parsed.kind if parsed.kind in ("movie", "episode") else None
        return (kind, broad(query_text(parsed.title)), parsed.year if kind else None)

    spellings: dict[tuple[str, int], set[tuple[Any, ...]]] = {}
    searched: set[tuple[Any, ...]] = set()
    review_keys: set[tuple[Any, ...]] = set()
    extra = 0
    for entry in entries:
        status = entry["expect"]["status"]
        if status not in ("organised", "review"):
            continue
        name_key = key(parse_release(ROOT / entry["path"], ROOT))
        if name_key is None:
            continue
        if status == "review":
            review_keys.add(name_key)
            continue
        searched.add(name_key)
        want = entry["expect"]["tmdb"]
        seen = spellings.setdefault((want["type"], want["id"]), set())
        if seen and name_key not in seen and name_key[0] != "ids" and name_key[2] is None:
            extra += 1
        seen.add(name_key)
    return lower_bound(entries) + extra + len(review_keys - searched)


def same(got: dict[str, Any] | None, want: dict[str, Any] | None) -> bool:
    if got is None or want is None:
        return got is None and want is None
    return (got["kind"] == want["type"] and str(got["id"]) == str(want["id"])
            and got.get("season") == want.get("season")
            and list(got.get("episodes") or []) == list(want.get("episodes") or []))


@dataclass
class Tally:
    right: int = 0
    wrong: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)  # expected an identity, left for review
    reviews: int = 0  # "must not be organised" names, all told
    kept: int = 0  # of which left for review, as they should be
    extras: int = 0
    extras_seen: int = 0
    expected: int = 0


@dataclass
class Report:
    tallies: dict[str, Tally]
    requests: int
    bound: int
    floor: int  # the fewest requests under shelver's two rules (floor())
    naive: dict[str, int]  # category -> right by the naive baseline
    naive_wrong: dict[str, int]
    naive_requests: int
    review_requests: int = 0  # spent on names that rightly end in review (beyond the bound)
    # (path, share of the bound, requests sent as "path query") per name, in corpus order
    per_name: list[tuple[str, int, list[str]]] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.requests / max(1, self.bound)


async def evaluate(entries: list[dict[str, Any]], crowd: int = 0) -> Report:
    """Identify every video of ``entries`` (one client, one cache, as one run would) and the
    naive baseline on a second look-alike; count both servers' requests. ``crowd``: the
    look-alike answers searches as on the real TMDB, cut short (``FakeTMDB(crowd=...)``)."""
    from shelver.plugins.parse.name import parse_release
    from shelver.plugins.tmdb.client import TMDBClient
    from shelver.plugins.tmdb.fake.tmdb_server import FakeTMDB
    from shelver.plugins.tmdb.matcher import identify

    tallies: dict[str, Tally] = collections.defaultdict(Tally)
    naive: dict[str, int] = collections.Counter()
    naive_wrong: dict[str, int] = collections.Counter()
    review_requests = 0
    per_name: list[tuple[str, int, list[str]]] = []
    seen: set[tuple[str, int, int | None]] = set()  # films, shows and their seasons named so far
    with tempfile.TemporaryDirectory() as work, FakeTMDB(crowd=crowd) as fake, \
            FakeTMDB(crowd=crowd) as plain:
        async with TMDBClient(fake.base_url, api_key=fake.api_key, rate="100000/1s",
                              db_path=Path(work) / "state.db") as client, \
                TMDBClient(plain.base_url, api_key=plain.api_key, rate="100000/1s",
                           db_path=Path(work) / "naive.db") as baseline:
            for entry in entries:
                tally = tallies[entry["category"]]
                status = entry["expect"]["status"]
                parsed = parse_release(ROOT / entry["path"], ROOT)
                if status == "extra":
                    tally.extras += 1
                    tally.extras_seen += bool(parsed.extra)
                    continue
                if status not in ("organised", "review"):
                    continue
                if parsed.extra:
                    tally.wrong.append(f"{entry['path']}: read as an extra ({parsed.extra})")
                    continue
                before, logged = fake.count(), len(fake.requests)
                result = await identify(client, parsed, {"duration": entry.get("duration")},
                                        min_confidence=MIN_CONFIDENCE)
                if status == "review":
                    review_requests += fake.count() - before
                per_name.append((entry["path"], share(entry, seen), [
                    f"{r.path} {r.params.get('query', '')}".strip()
                    for r in fake.requests[logged:]]))
                got = result.identity.as_json() if result.identity is not None else None
                want = entry["expect"].get("tmdb") if status == "organised" else None
                if status == "review":
                    tally.reviews += 1
                    tally.kept += got is None
                else:
                    tally.expected += 1
                if same(got, want):
                    tally.right += status == "organised"
                elif got is None:
                    tally.missed.append(entry["path"])
                else:
                    tally.wrong.append(f"{entry['path']}: {got} (expected {want})")
                first = await first_result(baseline, parsed)
                if want is not None and same(first, want):
                    naive[entry["category"]] += 1
                elif first is not None:
                    naive_wrong[entry["category"]] += 1
            return Report(tallies=dict(tallies), requests=fake.count(), bound=lower_bound(entries),
                          floor=floor(entries),
                          naive=dict(naive), naive_wrong=dict(naive_wrong),
                          naive_requests=plain.count(), review_requests=review_requests,
                          per_name=per_name)


def share(entry: dict[str, Any], seen: set[tuple[str, int, int | None]]) -> int:
    """The requests the bound grants ``entry``: what its identity adds that earlier names' did not."""
    if entry["expect"]["status"] != "organised":
        return 0
    want = entry["expect"]["tmdb"]
    work = (want["type"], int(want["id"]), None)
    granted = 0 if work in seen else 2
    seen.add(work)
    if want["type"] != "movie":
        season = (want["type"], int(want["id"]), want["season"])
        granted += 0 if season in seen else 1
        seen.add(season)
    return granted


async def first_result(client: Any, parsed: Any) -> dict[str, Any] | None:
    """The naive baseline: the first search result, taken as it is."""
    from shelver.api import NotFoundError

    if not parsed.title:
        return None
    if parsed.kind == "episode":
        body = await client.get("/search/tv", {"query": parsed.title})
        kind = "tv"
    elif parsed.kind == "movie":
        body = await client.get("/search/movie", {"query": parsed.title, "year": parsed.year})
        kind = "movie"
    else:
        body = await client.get("/search/multi", {"query": parsed.title})
        kind = ""
    results = [r for r in body.get("results") or [] if r.get("media_type", kind) in ("movie", "tv")]
    if not results:
        return None
    top = results[0]
    kind = top.get("media_type") or kind
    if kind == "movie":
        return {"kind": "movie", "id": str(top["id"])}
    if not parsed.episodes:
        return None
    try:
        await client.get(f"/tv/{top['id']}/season/{parsed.season or 1}", {})
    except NotFoundError:
        return None
    return {"kind": "tv", "id": str(top["id"]), "season": parsed.season or 1,
            "episodes": list(parsed.episodes)}


def table(report: Report, title: str) -> str:
    lines = [title, "-" * len(title),
             f"  {'category':<15} {'right':>9} {'wrong':>6} {'review*':>8} {'kept in review':>15}"
             f" {'extras':>7} {'naive right':>12} {'naive wrong':>12}"]
    totals = collections.Counter()
    for name, tally in sorted(report.tallies.items()):
        naive, naive_wrong = report.naive.get(name, 0), report.naive_wrong.get(name, 0)
        lines.append(f"  {name:<15} {tally.right:>4}/{tally.expected:<4} {len(tally.wrong):>6}"
                     f" {len(tally.missed):>8} {tally.kept:>8}/{tally.reviews:<6}"
                     f" {tally.extras_seen:>3}/{tally.extras:<3} {naive:>7}/{tally.expected:<4}"
                     f" {naive_wrong:>12}")
        totals.update(right=tally.right, expected=tally.expected, wrong=len(tally.wrong),
                      missed=len(tally.missed), kept=tally.kept, reviews=tally.reviews,
                      naive=naive, naive_wrong=naive_wrong)
    lines.append(f"  {'all':<15} {totals['right']:>4}/{totals['expected']:<4} {totals['wrong']:>6}"
                 f" {totals['missed']:>8} {totals['kept']:>8}/{totals['reviews']:<6}"
                 f" {'':>7} {totals['naive']:>7}/{totals['expected']:<4} {totals['naive_wrong']:>12}")
    over = "" if report.ratio <= TARGET_RATIO else "  over target"
    lines.append(f"  requests {report.requests} vs lower bound {report.bound}: "
                 f"{report.ratio:.3f}x (target <= {TARGET_RATIO}x, variants counted){over}")
    placed = report.requests - report.review_requests
    lines.append(f"  of which {report.review_requests} for names that rightly end in review; "
                 f"the others {placed}: {placed / max(1, report.bound):.3f}x the bound")
    lines.append(f"  floor (every spelling without a year and every name ending in review asked "
                 f"once): {report.floor}, {report.floor / max(1, report.bound):.3f}x the bound")
    lines.append(f"  naive baseline: {report.naive_requests} requests; review* = expected an "
                 f"identity, left for review")
    return "\n".join(lines)


def over_share(report: Report) -> str:
    """The names that cost more than their share of the bound, with what they sent."""
    lines = []
    for path, granted, sent in report.per_name:
        if len(sent) > granted:
            lines.append(f"  +{len(sent) - granted} {path}")
            lines += [f"      {request}" for request in sent]
    return "\n".join(lines)


def main() -> None:
    import trio

    categories = load(CATEGORIES)
    everything = load(RELEASE_NAMES) + categories
    print(table(trio.run(evaluate, categories), "Identification categories (tests/corpus/categories.json)"))
    print()
    corpus = trio.run(evaluate, everything)
    print(table(corpus, "The project's corpus (release_names.json + categories.json)"))
    print()
    real = trio.run(evaluate, everything, REAL_CROWD)
    print(table(real, "The project's corpus, answered as on the real TMDB (searches cut short)"))
    if "--names" in sys.argv[1:]:
        for report, title in ((corpus, ""), (real, ", as on the real TMDB")):
            print(f"\nNames over their share of the bound (the project's corpus{title})")
            print(over_share(report))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
