"""Core knows no media: no provider, phash, NFO or MP4 word in core/'s code (docs/architecture.md,
"Core knows no media").

Code is every token of a module under core/ except comments and docstrings: names, attributes,
keywords of calls and string literals (a string is behaviour: a column name, a setting, a
message). A word counts as a part of a name: the text is split at anything not a letter or a
digit, at underscores and where lower case turns upper (``tmdbId`` is ``tmdb`` + ``Id``), and a
part that begins with ``tmdb``, ``phash``, ``nfo`` or ``mp4`` (any case) is a hit: ``NFOs``,
``mp4tags`` and ``radarr_movie_tmdbid`` are, ``info`` is not.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest
from conftest import REPO

CORE = REPO / "core"
# ... nor a media server's or notifier's name: core tells "services" (docs/media-servers.md).
WORDS = ("tmdb", "phash", "nfo", "mp4", "plex", "jellyfin", "emby", "kodi", "apprise")

# Strings core must keep, exactly these, each for a reason (docs/architecture.md, "Core knows no
# media"). Keyed by file (relative to core/) and the exact token text.
ALLOWED: dict[str, set[str]] = {
    # Released migrations: their names are recorded in users' state DBs and their bodies are what
    # made those DBs; neither may change (a later named migration converts the data instead).
    "store/migrations.py": {'"tmdb_type"', '"tmdb_id"', '"phash"'},
    # What releases before 0.2 stored ({"type": "movie", "id": 603}, always TMDB): read as is.
    "model.py": {'"tmdb"'},
    # The option releases before 0.2 had: `shelver review set ITEM --tmdb movie/603` still works.
    "cli.py": {'"--tmdb"'},
    # File-name extensions on disk, not formats core reads: the default `filters.extensions`
    # (which files are videos) and the sidecars that travel with a video (a user's own .nfo).
    "discovery.py": {'".mp4"', '".nfo"'},
    # The test-media maker (shipped in core for `shelver demo`) picks a codec by file extension.
    "testing/media.py": {'".mp4"'},
    # The downloaders' own interface: Radarr and Sonarr pass the ids they know in environment
    # variables of these names, and "tmdb" is the id scheme those variables carry, handed on
    # under that name like "imdb" and "tvdb" (docs/downloaders.md).
    "intake/clients.py": {'"radarr_movie_tmdbid"', '"sonarr_series_tmdbid"', '"tmdb"'},
}

KNOWN_PENDING: set[tuple[str, str]] = set()  # every slice of issue 10 is merged

NOT_YET: set[tuple[str, str]] = set()  # nothing left over from issue 10

PART = re.compile(r"[A-Z]*[a-z0-9]+|[A-Z]+")


def words_in(text: str) -> set[str]:
    """The words of WORDS that begin a part of ``text``."""
    found = set()
    for chunk in re.split(r"[^A-Za-z0-9]+", text):
        for part in PART.findall(chunk):
            found.update(word for word in WORDS if part.lower().startswith(word))
    return found


def docstring_positions(tree: ast.AST) -> set[tuple[int, int]]:
    """(line, column) where each docstring's string token starts."""
    places = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                places.add((body[0].value.lineno, body[0].value.col_offset))
    return places


def code_hits(source: str) -> list[tuple[int, str]]:
    """``(line, token)`` for every name or string of ``source`` (comments and docstrings aside)
    that names one of the words."""
    docstrings = docstring_positions(ast.parse(source))
    hits = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT or token.start in docstrings:
            continue
        if token.type in (tokenize.NAME, tokenize.STRING) or (
                token.type == getattr(tokenize, "FSTRING_MIDDLE", -1)):
            if words_in(token.string):
                hits.append((token.start[0], token.string))
    return hits


def core_hits() -> dict[str, list[tuple[int, str]]]:
    found = {}
    for path in sorted(CORE.rglob("*.py")):
        name = path.relative_to(CORE).as_posix()
        hits = code_hits(path.read_text(encoding="utf-8"))
        if hits:
            found[name] = hits
    return found


def excused(name: str, token: str) -> bool:
    return token in ALLOWED.get(name, set()) or all(
        (name, word) in KNOWN_PENDING | NOT_YET for word in words_in(token))


def test_core_code_names_no_provider_phash_nfo_or_mp4() -> None:
    unexcused = [f"core/{name}:{line}: {token}" for name, hits in core_hits().items()
                 for line, token in hits if not excused(name, token)]
    assert not unexcused, "core/ names media in its code:\n" + "\n".join(unexcused)


def test_excuses_still_match() -> None:
    """An excuse the code no longer needs is removed, so the lists only ever shrink."""
    found = core_hits()
    words = {(name, word) for name, hits in found.items() for _line, token in hits
             for word in words_in(token)}
    tokens = {(name, token) for name, hits in found.items() for _line, token in hits}
    stale = sorted((KNOWN_PENDING | NOT_YET) - words)
    stale += sorted((name, token) for name, allowed in ALLOWED.items() for token in allowed
                    if (name, token) not in tokens)
    assert not stale, f"excuses that match nothing any more (remove them): {stale}"


@pytest.mark.parametrize(("source", "expected"), [
    ('x = "tmdb_id"\n', ['"tmdb_id"']),
    ("def f():\n    \"\"\"Writes an NFO.\"\"\"\n    return 1  # an MP4 comment\n", []),
    ("NFOs = 1\nmp4tags = 2\ninfo = 3\nlog.info('x')\nINFO = 4\n", ["NFOs", "mp4tags"]),
    ("tmdbId = f'{a}/phash/{b}'\n", ["tmdbId"]),
    ('radarr = env["radarr_movie_tmdbid"]\n', ['"radarr_movie_tmdbid"']),
])
def test_the_word_finder(source: str, expected: list[str]) -> None:
    found = [token for _line, token in code_hits(source)]
    if "phash" in source and "tmdbId" in source:
        # an f-string's text is code too (one STRING token before Python 3.12)
        assert found[0] == "tmdbId" and any("phash" in token for token in found[1:])
    else:
        assert found == expected


def test_the_test_fails_on_a_planted_word(tmp_path: Path) -> None:
    planted = 'def lookup(ident):\n    """Provider-neutral."""\n    return {"tmdb": ident}\n'
    assert code_hits(planted) == [(3, '"tmdb"')]
