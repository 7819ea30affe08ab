"""Candidate scoring: normalisation, the signals, and the refusal to guess."""

from __future__ import annotations

from typing import Any

import pytest
from shelver.model import ParsedName
from shelver.plugins.tmdb.scoring import (
    choose,
    normalise_title,
    score_candidate,
    title_similarity,
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("WALL·E", "WALL-E"),
        ("Schindler's List", "Schindlers List"),
        ("Schindler’s List", "Schindler's List"),
        ("Amélie", "Amelie"),
        ("Léon: The Professional", "Leon The Professional"),
        ("The Matrix", "Matrix"),
        ("Fast & Furious", "Fast and Furious"),
        ("Rocky II", "Rocky 2"),
        ("Star Trek IV: The Voyage Home", "Star Trek 4 The Voyage Home"),
        ("Ocean's Eleven", "Oceans 11"),
        ("Mission: Impossible - Fallout", "Mission Impossible Fallout"),
        ("Æon Flux", "Aeon Flux"),
        ("Der Untergang", "Untergang"),
        ("Les Misérables", "Les Miserables"),
        ("Le Fabuleux Destin d'Amélie Poulain", "Fabuleux Destin dAmelie Poulain"),
        ("El Laberinto del Fauno", "Laberinto del Fauno"),
        ("Das Boot", "Boot"),
        ("L'Avventura", "Avventura"),
        ("Doctor Who (2005)", "Doctor Who"),
        ("The Office (US)", "The Office"),
        ("Kill Bill: Vol. 1", "Kill Bill Vol 1"),
    ],
)
def test_normalise_equal(a: str, b: str) -> None:
    assert normalise_title(a) == normalise_title(b)
    assert title_similarity(a, b) == 1.0


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The Matrix", "The Matrix Reloaded"),
        ("Dune", "Dune: Part Two"),
        ("Alien", "Aliens"),
        ("It", "It Follows"),
        ("Iron Man", "Iron Man 2"),
        ("Rocky II", "Rocky III"),
    ],
)
def test_different_titles_are_not_equal(a: str, b: str) -> None:
    assert normalise_title(a) != normalise_title(b)
    assert title_similarity(a, b) < 0.9


def test_articles_only_lead() -> None:
    assert normalise_title("The Good, the Bad and the Ugly") == "good the bad and the ugly"
    assert normalise_title("A") == "a"  # a title that is only an article stays


def movie(
    id: int, title: str, date: str | None, popularity: float = 10.0, **extra: Any
) -> dict[str, Any]:
    return {
        "id": id,
        "title": title,
        "original_title": title,
        "release_date": date or "",
        "popularity": popularity,
        "media_type": "movie",
        **extra,
    }


def show(
    id: int, name: str, date: str, countries: list[str], popularity: float = 10.0
) -> dict[str, Any]:
    return {
        "id": id,
        "name": name,
        "original_name": name,
        "first_air_date": date,
        "origin_country": countries,
        "popularity": popularity,
        "media_type": "tv",
    }


def rank(
    parsed: ParsedName, candidates: list[dict[str, Any]], **kw: Any
) -> list[tuple[dict[str, Any], float, dict[str, Any]]]:
    out = []
    for c in candidates:
        score, reasons = score_candidate(parsed, c, kind=c["media_type"], **kw)
        out.append((c, score, reasons))
    return sorted(out, key=lambda e: e[1], reverse=True)


DUNES = [
    movie(841, "Dune", "1984-12-14", 30),
    movie(438631, "Dune", "2021-09-15", 150),
    movie(693134, "Dune: Part Two", "2024-02-27", 300),
]


def test_year_picks_the_remake() -> None:
    parsed = ParsedName(kind="movie", title="Dune", year=1984)
    best, confidence = choose(parsed, rank(parsed, DUNES), 0.75)
    assert best is not None and best["id"] == 841
    assert confidence > 0.9


def test_year_off_by_one_is_fine_and_two_is_not() -> None:
    parsed = ParsedName(kind="movie", title="The Matrix", year=2000)
    score1, _ = score_candidate(parsed, movie(603, "The Matrix", "1999-03-30"), kind="movie")
    parsed3 = ParsedName(kind="movie", title="The Matrix", year=2002)
    score3, _ = score_candidate(parsed3, movie(603, "The Matrix", "1999-03-30"), kind="movie")
    assert score1 > 0.9
    assert score3 < 0.7


def test_wrong_year_alone_goes_to_review() -> None:
    parsed = ParsedName(kind="movie", title="Dune", year=2010)
    best, confidence = choose(parsed, rank(parsed, DUNES), 0.75)
    assert best is None and confidence < 0.75


def test_no_year_and_two_equal_titles_is_ambiguous() -> None:
    parsed = ParsedName(kind="movie", title="Dune")
    best, confidence = choose(parsed, rank(parsed, DUNES), 0.75)
    assert best is None
    assert confidence < 0.6


def test_running_time_breaks_the_tie() -> None:
    parsed = ParsedName(kind="movie", title="Dune")
    details = {841: {"runtime": 137}, 438631: {"runtime": 155}, 693134: {"runtime": 167}}
    ranked = []
    for c in DUNES:
        score, reasons = score_candidate(
            parsed, c, kind="movie", duration=137 * 60 + 20, details=details[c["id"]]
        )
        ranked.append((c, score, reasons))
    best, _ = choose(parsed, ranked, 0.75)
    assert best is not None and best["id"] == 841
    assert ranked[0][2]["runtime"]["fit"] == "close"


def test_popularity_is_only_a_tie_breaker() -> None:
    parsed = ParsedName(kind="movie", title="Dune", year=1984)
    unpopular, _ = score_candidate(parsed, movie(841, "Dune", "1984-12-14", 0.1), kind="movie")
    popular, _ = score_candidate(parsed, movie(438631, "Dune", "2021-09-15", 10_000), kind="movie")
    assert unpopular - popular > 0.3


def test_kind_mismatch_hurts() -> None:
    parsed = ParsedName(kind="episode", title="Dune", season=1, episodes=[1])
    as_movie, reasons = score_candidate(parsed, movie(841, "Dune", "1984-12-14"), kind="movie")
    as_show, _ = score_candidate(parsed, show(1, "Dune", "2000-12-03", ["US"]), kind="tv")
    assert reasons["kind"].startswith("mismatch")
    assert as_show - as_movie > 0.3


OFFICES = [
    show(2316, "The Office", "2005-03-24", ["US"], 150),
    show(2996, "The Office", "2001-07-09", ["GB"], 40),
]


@pytest.mark.parametrize(("country", "expected"), [("US", 2316), ("GB", 2996), ("UK", 2996)])
def test_country_hint_for_same_name_shows(country: str, expected: int) -> None:
    parsed = ParsedName(kind="episode", title="The Office", country=country, season=1, episodes=[1])
    best, _ = choose(parsed, rank(parsed, OFFICES), 0.75)
    assert best is not None and best["id"] == expected


def test_year_hint_for_same_name_shows() -> None:
    whos = [
        show(57243, "Doctor Who", "2005-03-26", ["GB"], 200),
        show(121, "Doctor Who", "1963-11-23", ["GB"], 60),
    ]
    for year, expected in ((2005, 57243), (1963, 121)):
        parsed = ParsedName(kind="episode", title="Doctor Who", year=year, season=1, episodes=[1])
        best, _ = choose(parsed, rank(parsed, whos), 0.75)
        assert best is not None and best["id"] == expected
    parsed = ParsedName(kind="episode", title="Doctor Who", season=1, episodes=[1])
    assert choose(parsed, rank(parsed, whos), 0.75)[0] is None  # which one? a person decides


def test_alternative_titles_count() -> None:
    parsed = ParsedName(kind="movie", title="Star Wars Episode IV A New Hope", year=1977)
    candidate = movie(11, "Star Wars", "1977-05-25")
    plain, _ = score_candidate(parsed, candidate, kind="movie")
    details = {"alternative_titles": {"titles": [{"title": "Star Wars: Episode IV - A New Hope"}]}}
    with_alt, _ = score_candidate(parsed, candidate, kind="movie", details=details)
    assert with_alt > 0.95 > plain


def test_choose_with_nothing() -> None:
    assert choose(ParsedName(title="x"), [], 0.5) == (None, 0.0)


def test_same_candidate_twice_is_not_ambiguous() -> None:
    parsed = ParsedName(kind="movie", title="The Matrix", year=1999)
    c = movie(603, "The Matrix", "1999-03-30")
    entries = [(c, 0.98, {}), (dict(c), 0.98, {})]
    best, confidence = choose(parsed, entries, 0.75)
    assert best is not None and confidence == 0.98
