"""More of the TMDB look-alike's snapshot: what the identification categories of the corpus
need (tests/corpus/categories.json, docs/identification.md): anime with TMDB's season split
(absolute numbers map onto it), same-name shows, a show known by an abbreviation, the specials
of a show, the films of box sets, and titles translated for a non-English ``language``.

Same conventions as :mod:`~shelver.plugins.tmdb.fake.snapshot_tv` (show rows; seasons without
an episode list are synthesised by the server) and
:mod:`~shelver.plugins.tmdb.fake.snapshot_movies` (one row per film). Ids, names, dates and
season lengths follow TMDB as closely as known; where TMDB's split of a long anime changes
over time, the counts are those of one plausible snapshot.
"""

# ruff: noqa: C408, E501  (dict(...) rows read as data; a film is one line, as in snapshot_movies)
from __future__ import annotations

from typing import Any


def _counts(first: str, counts: list[int], start: int = 1) -> dict[int, tuple[int, str]]:
    """Seasons listed with their episode counts only (the server synthesises the episodes)."""
    return {start + i: (count, first) for i, count in enumerate(counts)}


NETWORKS = {"fuji": (1, "Fuji TV", "JP"), "mbs": (94, "MBS", "JP"), "tokyomx": (614, "Tokyo MX", "JP"),
            "tvtokyo": (98, "TV Tokyo", "JP"), "nhk": (160, "NHK", "JP")}
COMPANIES = {"toei": (5542, "Toei Animation", "JP"), "wit": (31058, "Wit Studio", "JP"),
             "mappa": (21444, "MAPPA", "JP"), "bones": (2849, "BONES", "JP"),
             "a1": (3363, "A-1 Pictures", "JP"), "ufotable": (5887, "ufotable", "JP"),
             "madhouse": (3464, "Madhouse", "JP"), "tomorrow": (119733, "Tomorrow Studios", "US"),
             "wolf": (1556, "Wolf Films", "US")}
COUNTRIES = {"JP": "Japan"}

_ANIME = dict(status="Returning Series", type="Scripted", lang="ja", country="JP", tagline="",
              rating="TV-14", created_by=[], keywords=["anime", "based on manga"])

SHOWS: list[dict[str, Any]] = [
    dict(_ANIME, id=37854, name="One Piece", original_name="ワンピース", first="1999-10-20",
         last="2024-06-02", genres=[10759, 35, 16], networks=["fuji"], companies=["toei"],
         runtime=24, popularity=212.4, vote=(8.7, 4500), ids=("tt0388629", 81797, None, None),
         overview="Years ago, the fearsome Pirate King Gol D. Roger was executed, leaving a huge "
                  "pile of treasure and the famous One Piece behind.",
         cast=[("Mayumi Tanaka", "Monkey D. Luffy (voice)"), ("Kazuya Nakai", "Roronoa Zoro (voice)"),
               ("Akemi Okamura", "Nami (voice)")],
         alt=[("JP", "Wan Pīsu"), ("US", "One Piece (1999)")],
         seasons={0: (8, "2000-12-20"),
                  **_counts("1999-10-20", [61, 16, 15, 39, 13, 52, 33, 35, 73, 45, 26, 14, 58,
                                           62, 50, 75, 118, 33, 98, 194])}),
    dict(id=111110, name="ONE PIECE", first="2023-08-31", last="2023-08-31", status="Returning Series",
         type="Scripted", country="US", genres=[10759, 10765], networks=["netflix"],
         companies=["tomorrow"], created_by=["Matt Owens", "Steven Maeda"], runtime=60,
         popularity=98.3, vote=(8.3, 2800), rating="TV-14", ids=("tt11737520", 392276, None, None),
         overview="With his straw hat and ragtag crew, young pirate Monkey D. Luffy goes on an "
                  "epic voyage for treasure.", tagline="", cast=[("Iñaki Godoy", "Monkey D. Luffy"), ("Mackenyu", "Roronoa Zoro"),
                                  ("Emily Rudd", "Nami")],
         keywords=["live action remake"], alt=[("US", "One Piece (2023)")],
         seasons=_counts("2023-08-31", [8])),
    dict(_ANIME, id=1429, name="Attack on Titan", original_name="進撃の巨人", first="2013-04-07",
         last="2023-11-05", status="Ended", genres=[16, 10765, 10759], networks=["mbs", "nhk"],
         companies=["wit", "mappa"], runtime=24, popularity=190.2, vote=(8.7, 6500),
         ids=("tt2560140", 267440, None, None),
         overview="Several hundred years ago, humans were nearly exterminated by Titans.",
         cast=[("Yuki Kaji", "Eren Yeager (voice)"), ("Yui Ishikawa", "Mikasa Ackerman (voice)"),
               ("Marina Inoue", "Armin Arlert (voice)")],
         alt=[("JP", "Shingeki no Kyojin"), ("US", "AoT")],
         seasons={0: (10, "2013-12-09"), **_counts("2013-04-07", [25, 12, 22, 30])}),
    dict(_ANIME, id=67075, name="Mob Psycho 100", original_name="モブサイコ100", first="2016-07-12",
         last="2022-12-21", status="Ended", genres=[16, 35, 10759], networks=["tokyomx"],
         companies=["bones"], runtime=24, popularity=61.0, vote=(8.5, 1800),
         ids=("tt5897304", 315143, None, None),
         overview="Shigeo Kageyama, known as Mob, is a boy with strong psychic powers.",
         cast=[("Setsuo Ito", "Shigeo Kageyama (voice)"), ("Takahiro Sakurai", "Arataka Reigen (voice)"),
               ("Akio Otsuka", "Dimple (voice)")], alt=[("JP", "Mobu Saiko Hyaku")],
         seasons=_counts("2016-07-12", [12, 13, 12])),
    dict(_ANIME, id=83121, name="Kaguya-sama: Love Is War",
         original_name="かぐや様は告らせたい～天才たちの恋愛頭脳戦～", first="2019-01-12",
         last="2022-06-25", genres=[16, 35], networks=["mbs"], companies=["a1"], runtime=24,
         popularity=58.1, vote=(8.5, 1400), ids=("tt9522300", 355480, None, None),
         overview="Two geniuses of the student council wait for the other to confess first.",
         cast=[("Aoi Koga", "Kaguya Shinomiya (voice)"), ("Makoto Furukawa", "Miyuki Shirogane (voice)"),
               ("Konomi Kohara", "Chika Fujiwara (voice)")],
         alt=[("JP", "Kaguya-sama wa Kokurasetai: Tensai-tachi no Renai Zunousen"),
              ("JP", "Kaguya-sama wa Kokurasetai")],
         seasons=_counts("2019-01-12", [12, 12, 13])),
    dict(_ANIME, id=120089, name="SPY x FAMILY", original_name="SPY×FAMILY", first="2022-04-09",
         last="2023-12-23", genres=[16, 35, 10759], networks=["tvtokyo"], companies=["wit"],
         runtime=24, popularity=118.7, vote=(8.6, 2100), ids=("tt13706018", 405920, None, None),
         overview="A spy, an assassin and a telepath pose as a family.",
         cast=[("Takuya Eguchi", "Loid Forger (voice)"), ("Atsumi Tanezaki", "Anya Forger (voice)"),
               ("Saori Hayami", "Yor Forger (voice)")], alt=[("JP", "Supai Famirī")],
         seasons=_counts("2022-04-09", [25, 12])),
    dict(_ANIME, id=85937, name="Demon Slayer: Kimetsu no Yaiba", original_name="鬼滅の刃",
         first="2019-04-06", last="2024-06-30", genres=[16, 10759, 10765], networks=["tokyomx"],
         companies=["ufotable"], runtime=24, popularity=160.5, vote=(8.7, 6100),
         ids=("tt9335498", 348545, None, None),
         overview="Tanjiro becomes a demon slayer to turn his sister back into a human.",
         cast=[("Natsuki Hanae", "Tanjiro Kamado (voice)"), ("Akari Kito", "Nezuko Kamado (voice)"),
               ("Hiro Shimono", "Zenitsu Agatsuma (voice)")],
         alt=[("JP", "Kimetsu no Yaiba"), ("US", "Demon Slayer")],
         seasons=_counts("2019-04-06", [26, 18, 11, 8])),
    dict(_ANIME, id=209867, name="Frieren: Beyond Journey's End", original_name="葬送のフリーレン",
         first="2023-09-29", last="2024-03-22", genres=[16, 10759, 10765], networks=["nhk"],
         companies=["madhouse"], runtime=24, popularity=140.2, vote=(8.9, 700),
         ids=("tt22248376", 424536, None, None),
         overview="An elf mage outlives her party and sets out to understand people.",
         cast=[("Atsumi Tanezaki", "Frieren (voice)"), ("Kana Ichinose", "Fern (voice)"),
               ("Chiaki Kobayashi", "Stark (voice)")],
         alt=[("JP", "Sousou no Frieren"), ("US", "Frieren")],
         seasons=_counts("2023-09-29", [28])),
    dict(id=2734, name="Law & Order: Special Victims Unit", first="1999-09-20", last="2024-05-16",
         status="Returning Series", type="Scripted", country="US", genres=[80, 18, 9648],
         networks=["nbc"], companies=["wolf", "universal"], created_by=["Dick Wolf"], runtime=43,
         popularity=301.5, vote=(7.9, 3900), rating="TV-14", ids=("tt0203259", 75692, None, None),
         overview="In the criminal justice system, sexually-based offenses are considered "
                  "especially heinous.", tagline="", cast=[("Mariska Hargitay", "Olivia Benson"), ("Christopher Meloni", "Elliot Stabler"),
                                          ("Ice-T", "Odafin Tutuola")],
         keywords=["police procedural"], alt=[("US", "Law & Order: SVU")],
         seasons=_counts("1999-09-20", [22, 21, 23, 25, 25])),
    dict(id=549, name="Law & Order", first="1990-09-13", last="2024-05-16", status="Returning Series",
         type="Scripted", country="US", genres=[80, 18], networks=["nbc"],
         companies=["wolf", "universal"], created_by=["Dick Wolf"], runtime=45, popularity=160.0,
         vote=(7.4, 1100), rating="TV-14", ids=("tt0098844", 72368, None, None),
         overview="Ripped from the headlines: the police who investigate crime and the "
                  "district attorneys who prosecute the offenders.", tagline="",
         cast=[("Jerry Orbach", "Lennie Briscoe"), ("Sam Waterston", "Jack McCoy"),
         ("S. Epatha Merkerson", "Anita Van Buren")], keywords=["police procedural"], alt=[],
         seasons=_counts("1990-09-13", [22, 22, 22])),
]

# The specials of shows already in the snapshot (their season 0 was not listed there).
EPISODES: dict[tuple[int, int], list[tuple[Any, ...]]] = {
    (19885, 0): [("Unaired Pilot", "2010-07-25", 55), ("Many Happy Returns", "2013-12-24", 7),
                 ("The Abominable Bride", "2016-01-01", 89)],
    (1399, 0): [("Inside Game of Thrones", "2011-03-06", 15), ("The Last Watch", "2019-05-26", 112)],
}

# Box-set films, in snapshot_movies' row format.
MOVIES: list[tuple[Any, ...]] = [
    (121, "The Lord of the Rings: The Two Towers", None, "en", "2002-12-18", 179, 82.6, 8.4, 21000, "tt0167261", "PG-13", "Adventure,Fantasy,Action", "NZ,US", "NL,WN", "Peter Jackson", "Fran Walsh", "Elijah Wood:Frodo Baggins|Ian McKellen:Gandalf|Viggo Mortensen:Aragorn", "lotr", ("US:The Two Towers",), 79, 926.0, "Frodo and Sam press on to Mordor while the fellowship fights at Helm's Deep."),
    (122, "The Lord of the Rings: The Return of the King", None, "en", "2003-12-01", 201, 90.4, 8.5, 23000, "tt0167260", "PG-13", "Adventure,Fantasy,Action", "NZ,US", "NL,WN", "Peter Jackson", "Fran Walsh", "Elijah Wood:Frodo Baggins|Ian McKellen:Gandalf|Viggo Mortensen:Aragorn", "lotr", ("US:The Return of the King",), 94, 1118.9, "Aragorn takes up his crown as Frodo and Sam near Mount Doom."),
    (242, "The Godfather Part III", None, "en", "1990-12-25", 162, 40.1, 7.4, 5800, "tt0099674", "R", "Crime,Drama,Thriller", "US", "PAR,ZOE", "Francis Ford Coppola", "Mario Puzo", "Al Pacino:Michael Corleone|Diane Keaton:Kay Adams|Andy Garcia:Vincent Mancini|Talia Shire:Connie Corleone Rizzi", "godfather", ("US:The Godfather Coda",), 54, 136.8, "Michael Corleone tries to legitimise the family's business in his last years."),
    (165, "Back to the Future Part II", None, "en", "1989-11-22", 108, 42.7, 7.8, 12500, "tt0096874", "PG", "Adventure,Comedy,Family,Science Fiction", "US", "UNI,AMB", "Robert Zemeckis", "Bob Gale", "Michael J. Fox:Marty McFly|Christopher Lloyd:Dr. Emmett Brown|Lea Thompson:Lorraine Baines", "bttf", (), 40, 332.0, "Marty and Doc travel to 2015 and back to an altered 1985."),
    (196, "Back to the Future Part III", None, "en", "1990-05-25", 118, 37.9, 7.5, 10500, "tt0099088", "PG", "Adventure,Comedy,Family,Science Fiction,Western", "US", "UNI,AMB", "Robert Zemeckis", "Bob Gale", "Michael J. Fox:Marty McFly|Christopher Lloyd:Dr. Emmett Brown|Mary Steenburgen:Clara Clayton", "bttf", (), 40, 244.5, "Marty travels to 1885 to save Doc Brown in the Old West."),
    (10193, "Toy Story 3", None, "en", "2010-06-16", 103, 70.2, 7.8, 14800, "tt0435761", "G", "Animation,Family,Comedy", "US", "PIX,DIS", "Lee Unkrich", "Michael Arndt", "Tom Hanks:Woody (voice)|Tim Allen:Buzz Lightyear (voice)|Joan Cusack:Jessie (voice)", "toystory", (), 200, 1066.9, "Andy leaves for college and the toys end up at a daycare centre."),
    (8077, "Alien³", None, "en", "1992-05-22", 114, 39.8, 6.4, 5600, "tt0103644", "R", "Science Fiction,Action,Horror", "US", "FOX", "David Fincher", "David Giler", "Sigourney Weaver:Ellen Ripley|Charles S. Dutton:Dillon|Charles Dance:Clemens", "alien", ("US:Alien 3",), 50, 159.8, "Ripley crash-lands on a prison planet with an alien on board."),
    (8078, "Alien Resurrection", None, "en", "1997-11-12", 109, 35.4, 6.2, 4900, "tt0118583", "R", "Science Fiction,Horror,Action", "US", "FOX", "Jean-Pierre Jeunet", "Joss Whedon", "Sigourney Weaver:Ellen Ripley|Winona Ryder:Annalee Call|Ron Perlman:Johner", "alien", ("US:Alien 4",), 75, 161.4, "Two hundred years later, Ripley is cloned aboard a military ship."),
]

# What a title, plot and episode name are in another language (TMDB's translations): the
# look-alike answers per ``language=`` with these, and search finds them.
TRANSLATIONS: dict[str, dict[tuple[str, int], dict[str, str]]] = {
    "de-DE": {
        ("movie", 603): {"title": "Matrix", "overview": "Ein Hacker erfährt, dass die Welt eine "
                                                      "Simulation ist."},
        ("movie", 604): {"title": "Matrix Reloaded"},
        ("movie", 278): {"title": "Die Verurteilten", "overview": "Ein Bankier findet im "
                                                                  "Gefängnis Hoffnung."},
        ("movie", 13): {"title": "Forrest Gump"},
        ("tv", 1396): {"name": "Breaking Bad", "overview": "Ein Chemielehrer wird zum "
                                                           "Drogenhersteller."},
        ("tv", 19885): {"name": "Sherlock"},
    },
}
EPISODE_TRANSLATIONS: dict[str, dict[tuple[int, int, int], str]] = {
    "de-DE": {(1396, 1, 1): "Der Einstieg", (1396, 1, 2): "Die Katze ist im Sack ...",
              (19885, 1, 1): "Ein Fall von Pink"},
}


def translate(snapshot: dict[str, Any]) -> None:
    """Put :data:`TRANSLATIONS` into ``snapshot`` (private ``_translations`` keys, which the
    look-alike reads to answer a ``language=`` other than en-US and never sends as such)."""
    for language, works in TRANSLATIONS.items():
        for (kind, work_id), fields in works.items():
            doc = snapshot["movies" if kind == "movie" else "tv"][str(work_id)]
            doc.setdefault("_translations", {})[language] = fields
    for language, names in EPISODE_TRANSLATIONS.items():
        for (show, season, number), name in names.items():
            for episode in snapshot["seasons"][str(show)][str(season)]["episodes"]:
                if episode["episode_number"] == number:
                    episode.setdefault("_translations", {})[language] = {"name": name}
