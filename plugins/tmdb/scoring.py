"""Candidate scoring: how well a TMDB search result fits what a file's name says.

A wrong match is worse than no match, so every signal that can contradict a candidate (a year
two or more off, the wrong kind, another country) costs a lot, and :func:`choose` refuses to pick
between two candidates that score about the same.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from typing import Any

from shelver.api import ParsedName

# ---------------------------------------------------------------------------------------------
# Title normalisation
# ---------------------------------------------------------------------------------------------

_FOLD = str.maketrans(
    {
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "ß": "ss",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
        "²": "2",
        "³": "3",
        "¹": "1",
    }
)
_APOSTROPHES = re.compile(r"[’'`´ʼ‘]")
_ARTICLES = {"the", "a", "an", "le", "la", "les", "der", "die", "das", "el", "l"}
_ROMAN = re.compile(r"^(?=[ivx]+$)(x{0,3})(ix|iv|v?i{0,3})$")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10}
_NUMBER_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
}
_TRAILING_HINT = re.compile(
    r"\s*[\(\[]\s*(?:(?:19|20)\d\d|us|uk|gb|au|nz|ca|ie)\s*[\)\]]\s*$", re.IGNORECASE
)


def _roman_to_int(token: str) -> int:
    total, previous = 0, 0
    for ch in reversed(token):
        value = _ROMAN_VALUES[ch]
        total += -value if value < previous else value
        previous = max(previous, value)
    return total


def normalise_title(s: str | None) -> str:
    """Fold a title to a comparable form.

    Casefold, strip diacritics, drop apostrophes, turn other punctuation (``·`` ``:`` ``-``...)
    into spaces, ``&`` into "and", roman numerals and small number words into digits, and drop a
    leading article. ``"The Lord of the Rings: Part II"`` → ``"lord of the rings part 2"``.
    """
    if not s:
        return ""
    s = _TRAILING_HINT.sub("", s)
    s = re.sub(r"^(.+?),\s*(the|a|an)\s*$", r"\2 \1", s.strip(), flags=re.IGNORECASE)  # "Matrix, The"
    s = unicodedata.normalize("NFKD", s.casefold().translate(_FOLD))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.translate(_FOLD)
    s = re.sub(r"^l[’'`´ʼ‘]", "l ", s)  # "L'Avventura": the article is glued on
    s = _APOSTROPHES.sub("", s)
    s = s.replace("&", " and ").replace("+", " and ")
    s = re.sub(r"[^\w\s]|_", " ", s)
    tokens = s.split()
    out: list[str] = []
    for token in tokens:
        if _ROMAN.match(token):
            out.append(str(_roman_to_int(token)))
        else:
            out.append(_NUMBER_WORDS.get(token, token))
    if len(out) > 1 and out[0] in _ARTICLES:
        out = out[1:]
    return " ".join(out)


def _main_title(s: str) -> str:
    """The part before a subtitle: "Birdman or (The Unexpected...)" → "Birdman"."""
    return re.split(r"\s*(?::|\s-\s|\(|\bor\s\()", s, maxsplit=1)[0].strip()


def _expand_abbreviation(title: str, other: str) -> str:
    """``title`` with a word that abbreviates consecutive words of ``other`` spelt out:
    "law and order svu" against "law and order special victims unit"."""
    words, others = title.split(), other.split()
    for i, word in enumerate(words):
        if not 2 <= len(word) <= 5 or not word.isalpha() or word in others:
            continue
        for start in range(len(others) - len(word) + 1):
            run = others[start:start + len(word)]
            if "".join(w[0] for w in run) == word:
                return " ".join(words[:i] + run + words[i + 1:])
    return title


def title_similarity(a: str, b: str) -> float:
    """Similarity of two titles in 0..1 (1.0 only for equal normalised titles)."""
    na, nb = normalise_title(a), normalise_title(b)
    if not na or not nb:
        return 0.0
    na, nb = _expand_abbreviation(na, nb), _expand_abbreviation(nb, na)
    if na == nb:
        return 1.0
    if na.replace(" ", "") == nb.replace(" ", ""):
        return 0.97
    ratio = difflib.SequenceMatcher(None, na, nb).ratio()
    ta, tb = na.split(), nb.split()
    common = len(set(ta) & set(tb))
    dice = 2 * common / (len(set(ta)) + len(set(tb)))
    sim = 0.5 * ratio + 0.5 * dice
    # A subtitle one side omits: "Birdman" vs "Birdman or (The Unexpected Virtue...)".
    main_b = normalise_title(_main_title(b))
    main_a = normalise_title(_main_title(a))
    if (main_b and main_b == na and main_b != nb) or (main_a and main_a == nb and main_a != na):
        sim = max(sim, 0.72)  # alone, not enough: a year and a running time must agree too
    return min(sim, 0.96)


# ---------------------------------------------------------------------------------------------
# Candidates
# ---------------------------------------------------------------------------------------------


def candidate_kind(candidate: dict[str, Any], default: str | None = None) -> str:
    """``"movie"`` or ``"tv"``: from ``media_type`` or from the fields present."""
    media = candidate.get("media_type")
    if media in ("movie", "tv"):
        return str(media)
    if "first_air_date" in candidate or "name" in candidate and "title" not in candidate:
        return "tv"
    if "release_date" in candidate or "title" in candidate:
        return "movie"
    return default or "movie"


def candidate_year(candidate: dict[str, Any]) -> int | None:
    date = candidate.get("release_date") or candidate.get("first_air_date") or ""
    m = re.match(r"(\d{4})", str(date))
    return int(m.group(1)) if m else None


def candidate_titles(candidate: dict[str, Any], details: dict[str, Any] | None = None) -> list[str]:
    """Every title a candidate goes by: title, original title, alternative titles."""
    titles: list[str] = []
    for doc in (candidate, details or {}):
        for key in ("title", "name", "original_title", "original_name"):
            value = doc.get(key)
            if isinstance(value, str) and value:
                titles.append(value)
        alt = doc.get("alternative_titles")
        if isinstance(alt, dict):
            for entry in alt.get("titles") or alt.get("results") or []:
                if isinstance(entry, dict) and entry.get("title"):
                    titles.append(str(entry["title"]))
    return list(dict.fromkeys(titles))


def _countries(candidate: dict[str, Any], details: dict[str, Any] | None) -> set[str]:
    found: set[str] = set()
    for doc in (candidate, details or {}):
        for code in doc.get("origin_country") or []:
            found.add(str(code).upper())
        for entry in doc.get("production_countries") or []:
            if isinstance(entry, dict) and entry.get("iso_3166_1"):
                found.add(str(entry["iso_3166_1"]).upper())
    return found


def _runtime_minutes(candidate: dict[str, Any], details: dict[str, Any] | None) -> float | None:
    for doc in (details or {}, candidate):
        runtime = doc.get("runtime")
        if isinstance(runtime, (int, float)) and runtime > 0:
            return float(runtime)
        runs = doc.get("episode_run_time")
        if isinstance(runs, list) and runs:
            return float(sum(runs) / len(runs))
    return None


def _missing_episode(parsed: ParsedName, details: dict[str, Any]) -> str | None:
    """Why the show in ``details`` cannot hold the parsed episode (None when it can)."""
    if parsed.air_date:
        first = str(details.get("first_air_date") or "")
        if first and parsed.air_date < first:
            return f"aired {parsed.air_date}, before the show began ({first})"
        return None
    seasons = details.get("seasons")
    if parsed.absolute and parsed.episodes and isinstance(seasons, list):
        # "[Group] Title - 1071": counted from the first episode, specials left out.
        counts = {s.get("season_number"): s.get("episode_count") or 0
                  for s in seasons if isinstance(s, dict)}
        total = sum(c for n, c in counts.items() if isinstance(n, int) and n > 0)
        within = parsed.season is not None and max(parsed.episodes) <= counts.get(parsed.season, 0)
        if total and not within and max(parsed.episodes) > total:
            return f"{total} episodes in all"
        return None
    if parsed.season is None or not parsed.episodes or not isinstance(seasons, list):
        return None
    listed = {s.get("season_number"): s for s in seasons if isinstance(s, dict)}
    if parsed.season not in listed:
        return f"no season {parsed.season}"
    count = listed[parsed.season].get("episode_count")
    if isinstance(count, int) and count and max(parsed.episodes) > count:
        return f"season {parsed.season} has {count} episodes"
    return None


# ---------------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------------

# How much each year difference keeps of the year part of the score.
_YEAR_FIT = {0: 1.0, 1: 0.85, 2: 0.25}
_NO_YEAR_GIVEN = 0.6  # a name without a year says nothing about remakes
_NO_YEAR_GIVEN_TV = 0.75
_KIND_MISMATCH = 0.55
RUNTIME_BONUS = 0.12
_COUNTRY_MISMATCH = 0.7
AMBIGUITY_MARGIN = 0.1


def score_candidate(
    parsed: ParsedName,
    candidate: dict[str, Any],
    *,
    kind: str,
    duration: float | None = None,
    details: dict[str, Any] | None = None,
) -> tuple[float, dict[str, Any]]:
    """Score ``candidate`` (a TMDB search result of ``kind`` "movie"/"tv") against ``parsed``.

    ``duration`` is the probed duration in seconds; it counts when the running time is known
    (from ``details`` or the candidate). Returns ``(score 0..1, reasons)``; ``reasons`` says what
    each signal contributed, for the review queue.
    """
    reasons: dict[str, Any] = {}
    # An alternative reading of the name counts a little less than the name itself.
    names = [(n, 1.0) for n in [parsed.title] if n]
    names += [(n, 0.95) for n in parsed.alternative_titles if n]
    titles = candidate_titles(candidate, details)
    best_title = 0.0
    for name, weight in names:
        for title in titles:
            best_title = max(best_title, weight * title_similarity(name, title))
    reasons["title"] = round(best_title, 3)

    year = candidate_year(candidate) or candidate_year(details or {})
    cand_kind = candidate_kind(candidate, kind)
    if parsed.year is None:
        # Show names rarely carry a year; a film's name usually does (remakes!).
        year_fit = _NO_YEAR_GIVEN_TV if cand_kind == "tv" else _NO_YEAR_GIVEN
    elif year is None:
        year_fit = 0.35
    else:
        diff = abs(parsed.year - year)
        year_fit = _YEAR_FIT.get(diff, 0.0)
        if cand_kind == "tv" and diff > 1:
            # A year in a show's name is its first-air year hint; a later season's year is a
            # weaker contradiction than a film's wrong year, and fits a show still on the air.
            last = candidate_year({"first_air_date": (details or {}).get("last_air_date")})
            year_fit = 0.7 if last and year <= parsed.year <= last else 0.15
    reasons["year"] = {"given": parsed.year, "candidate": year, "fit": year_fit}

    score = best_title * (0.6 + 0.4 * year_fit)
    points = _Points(reasons, title=best_title * 0.6, year=score - best_title * 0.6)

    wanted = {"movie": "movie", "episode": "tv"}.get(parsed.kind or "")
    if wanted is None:
        score *= 0.97
        reasons["kind"] = "unknown"
    elif wanted != cand_kind:
        score *= _KIND_MISMATCH
        reasons["kind"] = f"mismatch ({cand_kind})"
    else:
        reasons["kind"] = "match"
    points.add("kind", score)

    if parsed.country:
        countries = _countries(candidate, details)
        hint = "GB" if parsed.country.upper() == "UK" else parsed.country.upper()
        if countries and hint in countries:
            score += 0.06 * (1 - score) + 0.03
            reasons["country"] = "match"
        elif countries:
            score *= _COUNTRY_MISMATCH
            reasons["country"] = f"mismatch ({','.join(sorted(countries))})"
    points.add("country", score)

    runtime = _runtime_minutes(candidate, details)
    if duration and runtime and cand_kind == "movie":
        minutes = duration / 60.0
        diff_min = abs(minutes - runtime)
        # A running time within a minute or two is strong evidence between two films of one
        # name; the bonus fades within minutes (TMDB rounds, PAL runs 4% fast, credits vary).
        bonus = RUNTIME_BONUS * math.exp(-diff_min / 3.0)
        score += bonus
        fit = "close" if diff_min <= max(4.0, 0.06 * runtime) else "near"
        # An edition (extended, director's cut) legitimately runs longer than TMDB says.
        slack = 1.6 if parsed.edition else 1.0
        if diff_min > slack * max(25.0, 0.25 * runtime):
            score *= 0.7
            fit = "far"
        elif diff_min > slack * max(10.0, 0.1 * runtime):
            score *= 0.85
            fit = "off"
        reasons["runtime"] = {
            "probed": round(minutes, 1),
            "tmdb": runtime,
            "fit": fit,
            "bonus": round(bonus, 3),
        }
    points.add("runtime", score)

    if cand_kind == "tv" and details:
        missing = _missing_episode(parsed, details)
        if missing:
            score *= 0.5
            reasons["episodes"] = missing
    points.add("episodes", score, keep_zero=False)

    popularity = float(candidate.get("popularity") or 0.0)
    score += 0.01 * min(1.0, math.log10(1.0 + popularity) / 3.0)
    points.add("popularity", score)
    score = max(0.0, min(1.0, score))
    points.add("cap", score, keep_zero=False)
    return score, reasons


class _Points:
    """The score's breakdown (``reasons["breakdown"]``): the points each signal added (or took
    away, negative) as the score was built, so that they sum to the score. Title and year share
    the base score (the title's similarity scaled by how well the year fits); every later step
    is the change it made; ``cap`` is what keeping the score within 1 took off."""

    def __init__(self, reasons: dict[str, Any], *, title: float, year: float) -> None:
        self.last = title + year
        self.points: dict[str, float] = {"title": title, "year": year}
        reasons["breakdown"] = self.points

    def add(self, component: str, score: float, *, keep_zero: bool = True) -> None:
        change, self.last = score - self.last, score
        if keep_zero or abs(change) > 1e-12:
            self.points[component] = self.points.get(component, 0.0) + change


def choose(
    parsed: ParsedName,
    scored_candidates: list[tuple[dict[str, Any], float, dict[str, Any]]],
    min_confidence: float,
) -> tuple[dict[str, Any] | None, float]:
    """Pick the best of ``[(candidate, score, reasons), ...]``.

    Confidence is the best score, lowered when a different candidate scores within
    :data:`AMBIGUITY_MARGIN` of it (two films of one name, no year: a person decides). Returns
    ``(best, confidence)``, with ``best`` None below ``min_confidence``.
    """
    if not scored_candidates:
        return None, 0.0
    ranked = sorted(scored_candidates, key=lambda entry: entry[1], reverse=True)
    best, best_score, _ = ranked[0]
    best_key = (best.get("media_type"), best.get("id"))
    second_score = 0.0
    for candidate, score, _ in ranked[1:]:
        if (candidate.get("media_type"), candidate.get("id")) != best_key:
            second_score = score
            break
    margin = best_score - second_score
    confidence = best_score
    if margin < AMBIGUITY_MARGIN:
        confidence = best_score * (0.5 + 0.5 * margin / AMBIGUITY_MARGIN)
    confidence = round(confidence, 4)
    if confidence < min_confidence:
        return None, confidence
    return best, confidence


def runtime_contradiction(kind: str, details: dict[str, Any], duration: float | None) -> str | None:
    """Why the probed ``duration`` (seconds) cannot be the work of ``details``; None when it
    fits or either is unknown. A film: off by more than 25 minutes and a quarter of its length
    (an extended cut runs longer, PAL runs 4% fast); an episode: under a third or over three
    times the show's episode length."""
    if not duration:
        return None
    minutes = duration / 60.0
    if kind == "movie":
        runtime = details.get("runtime")
        if isinstance(runtime, (int, float)) and runtime > 0:
            if abs(minutes - runtime) > max(25.0, 0.25 * runtime):
                return f"probed {minutes:.0f} min, TMDB says {runtime} min"
        return None
    runs = [r for r in details.get("episode_run_time") or [] if isinstance(r, (int, float)) and r]
    if runs and not (min(runs) / 3 <= minutes <= 3 * max(runs)):
        return f"probed {minutes:.0f} min, TMDB says episodes run {min(runs)}-{max(runs)} min"
    return None


__all__ = [
    "AMBIGUITY_MARGIN",
    "candidate_kind",
    "candidate_titles",
    "candidate_year",
    "choose",
    "normalise_title",
    "runtime_contradiction",
    "score_candidate",
    "title_similarity",
]
