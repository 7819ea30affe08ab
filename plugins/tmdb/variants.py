"""Query variants: the other spellings an expert searches for when a title finds nothing
(docs/identification.md, "Query variants"), and the one spelling of a title sent as ``query``.
The matcher (:mod:`shelver.plugins.tmdb.matcher`) tries them in order, only while nothing is
found; each is a request, counted in the request ratio like any other."""

from __future__ import annotations

import re
import unicodedata

MAX_VARIANTS = 6  # other spellings tried at most, each a request (with and without the year)
_NUMBER_WORDS = {str(n): w for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}
_WORD_NUMBERS = {w: n for n, w in _NUMBER_WORDS.items()}


def query_variants(raw_title: str) -> list[str]:
    """Other spellings an expert would search for when ``raw_title`` finds nothing, most likely
    first (docs/identification.md, "Query variants"): ``&``/and, a number glued to the title
    ("Toy Story2"), roman numerals and number words for digits and back, a trailing number as a
    sequel's "Part II", the words without an abbreviation ("Law and Order SVU": "SVU" is
    scored against the initials of "Special Victims Unit"), an article moved back to the front
    ("Matrix, The"), the part before a colon or dash."""
    title = query_text(raw_title)
    out: list[str] = []
    if " and " in f" {title} ":
        out.append(re.sub(r"(?<=\s)and(?=\s)", "&", title))
    elif "&" in title:
        out.append(re.sub(r"\s*&\s*", " and ", title))
    glued = re.sub(r"(?<=[^\W\d_]{2})(\d{1,2})$", r" \1", title)
    if glued != title:
        out.append(glued)
        title_for_numbers = glued
    else:
        title_for_numbers = title
    tokens = title_for_numbers.split()
    roman = [_ROMAN.get(t, t).lower() if i else t for i, t in enumerate(tokens)]
    arabic = [_ARABIC.get(t, t) if i else t for i, t in enumerate(tokens)]
    words = [_NUMBER_WORDS.get(t, _WORD_NUMBERS.get(t, t)) if i else t
             for i, t in enumerate(tokens)]
    for spelled in (roman, arabic, words):
        if spelled != tokens:
            out.append(" ".join(spelled))
    if len(tokens) > 1 and tokens[-1].isdigit() and tokens[-2] != "part":
        out.append(" ".join(tokens[:-1] + ["part", _ROMAN.get(tokens[-1], tokens[-1]).lower()]))
    abbreviations = abbreviations_in(raw_title)
    if abbreviations and len(tokens) > len(abbreviations):
        kept = " ".join(t for t in title.split() if t.upper() not in abbreviations)
        out.append(kept)
        if " and " in f" {kept} ":
            out.append(re.sub(r"(?<=\s)and(?=\s)", "&", kept))
    moved = re.match(r"^(.+),\s*(the|a|an)$", raw_title.strip(), re.IGNORECASE)
    if moved:
        out.append(query_text(f"{moved.group(2)} {moved.group(1)}"))
    before = re.split(r"\s*(?::|\s-\s)\s*", raw_title, maxsplit=1)
    if len(before) == 2 and before[0].strip():
        out.append(query_text(before[0]))
    return [v for v in dict.fromkeys(out) if v != title]


_ROMAN = {
    str(n): r
    for n, r in enumerate(
        ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
    )
    if n > 1
}
_ARABIC = {roman.lower(): arabic for arabic, roman in _ROMAN.items()}



_ELISION = re.compile(r"\b([dljmntc]|qu) (?=[aeiouyhàâéèêîôû])", re.IGNORECASE)


def query_text(title: str) -> str:
    """What to send as ``query``: one spelling per title, so that "Breaking.Bad", "breaking bad"
    and "Breaking Bad" share one cached search.

    TMDB's search ignores case, accents and punctuation; apostrophes stay, and French elisions
    lost in release names come back ("d Amelie" → "d'amelie").
    """
    text = unicodedata.normalize("NFKD", title.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[’`´]", "'", text)
    text = re.sub(r"[^\w\s'&]|_", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return _ELISION.sub(lambda m: m.group(1) + "'", text)


def broad(query: str) -> str:
    """``and`` sent as ``&``: TMDB's search ignores the ``&``, so one query finds "Law & Order"
    and "Law and Order" alike where the two spellings would be two requests."""
    return re.sub(r"(?<=\s)and(?=\s)", "&", query)


_SEQUEL_NUMBERS = {*(str(n) for n in range(2, 13)), *(r.lower() for r in _ROMAN.values()),
                   *(_NUMBER_WORDS[str(n)] for n in range(2, 13))}
_STOP_WORDS = {"the", "a", "an", "of", "and", "&", "part"}


def without_numbers(query: str) -> str | None:
    """``query`` (a :func:`query_text`) without the numbers TMDB may spell otherwise, and the
    "part" before one: ``rocky 3`` → ``rocky``, ``back to the future part ii`` → ``back to the
    future``, ``dune part one`` → ``dune``, ``toy story2`` → ``toy story``. TMDB's search finds
    every spelling of the number with it (and the other films of the series, in one shared
    answer). None when there is no such number, or too little would be left to search for
    (a leading number is the title's own: ``2 fast 2 furious``, ``12 angry men``)."""
    tokens = re.sub(r"(?<=[^\W\d_]{2})(\d{1,2})$", r" \1", query).split()
    kept: list[str] = []
    for index, token in enumerate(tokens):
        after_part = index > 0 and tokens[index - 1] == "part"
        if index and (token in _SEQUEL_NUMBERS or (after_part and token in ("1", "i", "one"))):
            if kept and kept[-1] == "part":
                kept.pop()
            continue
        kept.append(token)
    if len(kept) == len(tokens) or not any(len(t) >= 3 and t not in _STOP_WORDS for t in kept):
        return None
    return " ".join(kept)


def without_part(title: str) -> str | None:
    m = re.match(r"^(.+?)\s+part\s+\w+$", title, re.IGNORECASE)
    return m.group(1) if m else None


def abbreviations_in(raw_title: str) -> list[str]:
    """The abbreviations written in a title ("SVU" in "Law and Order SVU"), upper case."""
    return [w for w in re.findall(r"\b[A-Z]{2,5}\b", raw_title)
            if w.lower() not in _ARABIC and w.lower() not in ("us", "uk")]


def spells_out(titles: list[str], abbreviation: str) -> bool:
    """Whether one of ``titles`` has the words ``abbreviation`` stands for, or the word itself:
    a search that found something once the abbreviation was left out found it only if so."""
    letters = abbreviation.lower()
    for title in titles:
        words = re.findall(r"[^\W_]+", unicodedata.normalize("NFKD", title.casefold()))
        if letters in words:
            return True
        for start in range(len(words) - len(letters) + 1):
            if "".join(w[0] for w in words[start:start + len(letters)]) == letters:
                return True
    return False

