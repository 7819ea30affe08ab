"""The TV half of the bundled TMDB snapshot: compact data, expanded into TMDB v3 documents.

``shows()`` gives ``{str(id): TV details document}`` with the appended parts inline (credits,
images, external_ids, keywords, content_ratings, videos, alternative_titles) and ``seasons()``
gives ``{str(show_id): {str(n): /tv/{id}/season/{n} document}}``, the shapes
:class:`shelver.plugins.tmdb.fake.tmdb_server.Catalogue` reads.

Show ids, names, dates, networks and episode titles follow TMDB as of early June 2024 as
closely as known. What TMDB does not publish in a memorable form is generated
deterministically from the data (episode/season/person ids, image paths, credit ids, votes of
episodes), so the documents are stable from run to run. Only seasons the test corpus uses carry
real episode lists; the other seasons are listed on their show (with their episode counts) and
the server synthesises placeholder episodes for them, as TMDB does for thinly curated seasons.

Daily shows use TMDB's own representation: The Daily Show's 2024 is season 29 and Last Week
Tonight's 2024 is season 11, episodes numbered in air order, each with its ``air_date``.

Longer than ~400 lines on purpose: it is data (one row per show, season and episode the test
corpus uses), with the few functions that expand it into TMDB's documents.
"""

# ruff: noqa: C408  (dict(...) keeps the show records readable as data)
from __future__ import annotations

import copy
import datetime as _dt
import functools
import hashlib
import zlib
from typing import Any

from shelver.plugins.tmdb.fake import snapshot_more as _more

# -- reference tables -----------------------------------------------------------------------

GENRES = {10759: "Action & Adventure", 16: "Animation", 35: "Comedy", 80: "Crime",
          99: "Documentary", 18: "Drama", 10751: "Family", 9648: "Mystery", 10763: "News",
          10764: "Reality", 10765: "Sci-Fi & Fantasy", 10767: "Talk", 10768: "War & Politics"}

# key: (TMDB network id, name, origin country)
NETWORKS = {
    "amc": (174, "AMC", "US"), "nbc": (6, "NBC", "US"), "abc": (2, "ABC", "US"),
    "fox": (19, "FOX", "US"), "hbo": (49, "HBO", "US"), "pbs": (14, "PBS", "US"),
    "scifi": (77, "Syfy", "US"), "cc": (47, "Comedy Central", "US"),
    "netflix": (213, "Netflix", ""), "disney+": (2739, "Disney+", ""),
    "fx": (88, "FX", "US"), "hulu": (453, "Hulu", "US"),
    "natgeo": (43, "National Geographic", "US"),
    "bbc1": (4, "BBC One", "GB"), "bbc2": (332, "BBC Two", "GB"), "sky1": (214, "Sky One", "GB"),
}

# key: (TMDB company id, name, origin country); ids as best known.
COMPANIES = {
    "sony": (11073, "Sony Pictures Television Studios", "US"),
    "highbridge": (33742, "High Bridge Productions", "US"),
    "granvia": (2605, "Gran Via Productions", "US"),
    "universal": (26727, "Universal Television", "US"),
    "deedle": (14214, "Deedle-Dee Productions", "US"),
    "reveille": (6529, "Reveille Productions", "US"),
    "bbc": (3324, "BBC", "GB"),
    "bbcstudios": (6704, "BBC Studios", "GB"),
    "bbcwales": (4804, "BBC Wales", "GB"),
    "bbcnhu": (3096, "BBC Natural History Unit", "GB"),
    "glen": (17498, "Glen A. Larson Productions", "US"),
    "r&d": (8352, "R&D TV", "US"),
    "hbo": (3268, "HBO", "US"),
    "television360": (7, "Television 360", "US"),
    "bighead": (2382, "Bighead Littlehead", "US"),
    "gracie": (18, "Gracie Films", "US"),
    "20th": (1556, "20th Television", "US"),
    "hartswood": (4546, "Hartswood Films", "GB"),
    "warner": (1957, "Warner Bros. Television", "US"),
    "bright": (1480, "Bright/Kauffman/Crane Productions", "US"),
    "21laps": (2575, "21 Laps Entertainment", "US"),
    "monkey": (94413, "Monkey Massacre Productions", "US"),
    "lucasfilm": (1, "Lucasfilm Ltd.", "US"),
    "busboy": (5355, "Busboy Productions", "US"),
    "avalon": (11264, "Avalon Television", "US"),
    "fxp": (35487, "FX Productions", "US"),
    "paramount": (6735, "Paramount Television", "US"),
    "lorimar": (1032, "Lorimar Television", "US"),
    "kcet": (14001, "KCET", "US"),
    "fuzzy": (45474, "Fuzzy Door Productions", "US"),
    "cosmos": (45475, "Cosmos Studios", "US"),
}

# Snapshot taken early June 2024.
SNAPSHOT_DATE = "2024-06-05"


def _listed(spec: str) -> dict[int, tuple[int, str]]:
    """Seasons without an episode list here: ``"number count first-air-date"`` per line."""
    out = {}
    for line in spec.split(";"):
        if line.strip():
            number, count, date = line.split()
            out[int(number)] = (int(count), date)
    return out


# -- shows ----------------------------------------------------------------------------------
# seasons: season numbers with an episode list in EPISODES map to None; the others to
# (episode count, air date), the server then synthesises placeholder episodes for them.

SHOWS: list[dict[str, Any]] = [
    dict(id=1396, name="Breaking Bad", country="US", first="2008-01-20", last="2013-09-29",
         status="Ended", type="Scripted", genres=[18, 80], networks=["amc"],
         companies=["sony", "highbridge", "granvia"], created_by=["Vince Gilligan"], runtime=47,
         popularity=412.3, vote=(8.9, 14102), rating="TV-MA",
         ids=("tt0903747", 81189, 18164, "Q1079"),
         overview="Walter White, a New Mexico chemistry teacher, is diagnosed with Stage III "
                  "cancer and given a prognosis of only two years left to live. He becomes "
                  "filled with a sense of fearlessness and an unrelenting desire to secure his "
                  "family's financial future at any cost as he enters the dangerous world of "
                  "drugs and crime.",
         tagline="Change the equation.",
         cast=[("Bryan Cranston", "Walter White"), ("Aaron Paul", "Jesse Pinkman"),
               ("Anna Gunn", "Skyler White"), ("RJ Mitte", "Walter White Jr."),
               ("Dean Norris", "Hank Schrader")],
         keywords=["new mexico", "drug dealer", "methamphetamine", "cancer", "antihero"],
         alt=[("US", "Breaking Bad: Reazioni collaterali"), ("DE", "Breaking Bad - Die Serie")],
         seasons={0: None, 1: None, **_listed("2 13 2009-03-08; 3 13 2010-03-21; "
                                                "4 13 2011-07-17"), 5: None}),
    dict(id=2316, name="The Office", country="US", first="2005-03-24", last="2013-05-16",
         status="Ended", type="Scripted", genres=[35], networks=["nbc"],
         companies=["universal", "deedle", "reveille"],
         created_by=["Greg Daniels", "Ricky Gervais", "Stephen Merchant"], runtime=22,
         popularity=297.6, vote=(8.6, 4301), rating="TV-14",
         ids=("tt0386676", 73244, 6061, "Q23831"),
         overview="The everyday lives of office employees in the Scranton, Pennsylvania branch "
                  "of the fictional Dunder Mifflin Paper Company.",
         tagline="",
         cast=[("Steve Carell", "Michael Scott"), ("Rainn Wilson", "Dwight Schrute"),
               ("John Krasinski", "Jim Halpert"), ("Jenna Fischer", "Pam Beesly"),
               ("B. J. Novak", "Ryan Howard")],
         keywords=["workplace comedy", "mockumentary", "paper company", "remake"],
         alt=[("US", "The Office (US)"), ("US", "The Office: An American Workplace")],
         seasons={1: None, 2: None,
                  **_listed("3 25 2006-09-21; 4 19 2007-09-27; 5 28 2008-09-25; "
                            "6 26 2009-09-17; 7 26 2010-09-23; 8 24 2011-09-22; "
                            "9 25 2012-09-20")}),
    dict(id=2996, name="The Office", country="GB", first="2001-07-09", last="2003-12-27",
         status="Ended", type="Scripted", genres=[35], networks=["bbc2"], companies=["bbc"],
         created_by=["Ricky Gervais", "Stephen Merchant"], runtime=30,
         popularity=38.4, vote=(7.9, 812), rating="TV-MA",
         ids=("tt0290978", 78107, 6060, None),
         overview="The day-to-day lives of the employees of the Slough branch of the Wernham "
                  "Hogg paper company, and their deluded boss David Brent, filmed as a "
                  "fly-on-the-wall documentary.",
         tagline="",
         cast=[("Ricky Gervais", "David Brent"), ("Martin Freeman", "Tim Canterbury"),
               ("Mackenzie Crook", "Gareth Keenan"), ("Lucy Davis", "Dawn Tinsley")],
         keywords=["workplace comedy", "mockumentary", "slough"],
         alt=[("GB", "The Office (UK)"), ("US", "The Office UK")],
         seasons={0: None, 1: None, 2: None}),
    dict(id=121, name="Doctor Who", country="GB", first="1963-11-23", last="1989-12-06",
         status="Ended", type="Scripted", genres=[10759, 18, 10765], networks=["bbc1"],
         companies=["bbc"], created_by=["Sydney Newman", "C. E. Webber", "Donald Wilson"],
         runtime=25, popularity=41.7, vote=(7.4, 402), rating="TV-PG",
         ids=("tt0056751", 76107, None, None),
         overview="The adventures of the Doctor, a time-travelling alien from the planet "
                  "Gallifrey, who explores time and space in the TARDIS with companions from "
                  "Earth.",
         tagline="",
         cast=[("William Hartnell", "The Doctor"), ("William Russell", "Ian Chesterton"),
               ("Jacqueline Hill", "Barbara Wright"), ("Carole Ann Ford", "Susan Foreman")],
         keywords=["time travel", "alien", "tardis", "science fiction"],
         alt=[("GB", "Doctor Who (1963)"), ("GB", "Doctor Who Classic")],
         seasons={1: None, **_listed(
             "2 39 1964-10-31; 3 45 1965-09-11; 4 43 1966-09-10; 5 40 1967-09-02; "
             "6 44 1968-08-10; 7 25 1970-01-03; 8 25 1971-01-02; 9 26 1972-01-01; "
             "10 26 1972-12-30; 11 26 1973-12-15; 12 20 1974-12-28; 13 26 1975-08-30; "
             "14 26 1976-09-04; 15 26 1977-09-03; 16 26 1978-09-02; 17 20 1979-09-01; "
             "18 28 1980-08-30; 19 26 1982-01-04; 20 22 1983-01-03; 21 24 1984-01-05; "
             "22 13 1985-01-05; 23 14 1986-09-06; 24 14 1987-09-07; 25 14 1988-10-05; "
             "26 14 1989-09-06")}),
    dict(id=57243, name="Doctor Who", country="GB", first="2005-03-26", last="2022-10-23",
         status="Ended", type="Scripted", genres=[10759, 18, 10765], networks=["bbc1"],
         companies=["bbcwales", "bbcstudios"], created_by=["Russell T Davies"], runtime=45,
         popularity=156.2, vote=(7.5, 2984), rating="TV-PG",
         ids=("tt0436992", 78804, 3332, None),
         overview="The Doctor is a Time Lord: a 900 year old alien with 2 hearts, part of a "
                  "gifted civilization who mastered time travel. The Doctor saves planets for "
                  "a living, and travels with companions in the TARDIS.",
         tagline="",
         cast=[("Christopher Eccleston", "The Doctor"), ("Billie Piper", "Rose Tyler"),
               ("David Tennant", "The Doctor"), ("Matt Smith", "The Doctor"),
               ("Jenna Coleman", "Clara Oswald")],
         keywords=["time travel", "alien", "tardis", "revival"],
         alt=[("GB", "Doctor Who (2005)"), ("US", "Doctor Who 2005")],
         seasons={0: None, 1: None, **_listed(
             "2 13 2006-04-15; 3 13 2007-03-31; 4 13 2008-04-05; 5 13 2010-04-03; "
             "6 13 2011-04-23; 7 13 2012-09-01; 8 12 2014-08-23; 9 12 2015-09-19; "
             "10 12 2017-04-15; 11 10 2018-10-07; 12 10 2020-01-01; 13 6 2021-10-31")}),
    dict(id=501, name="Battlestar Galactica", country="US", first="1978-09-17",
         last="1979-04-29", status="Ended", type="Scripted", genres=[10759, 10765, 18],
         networks=["abc"], companies=["universal", "glen"], created_by=["Glen A. Larson"],
         runtime=50, popularity=24.8, vote=(6.9, 268), rating="TV-PG",
         ids=("tt0076984", 71173, 1963, None),
         overview="After the Cylons destroy the Twelve Colonies, the battlestar Galactica "
                  "leads a ragtag fleet of survivors on a quest for the legendary thirteenth "
                  "colony, Earth.",
         tagline="",
         cast=[("Lorne Greene", "Commander Adama"), ("Richard Hatch", "Captain Apollo"),
               ("Dirk Benedict", "Lieutenant Starbuck"), ("John Colicos", "Count Baltar")],
         keywords=["space opera", "cylon", "spaceship"],
         alt=[("US", "Battlestar Galactica (1978)"), ("DE", "Kampfstern Galactica")],
         seasons={1: None}),
    dict(id=1972, name="Battlestar Galactica", country="US", first="2004-10-18",
         last="2009-03-20", status="Ended", type="Scripted", genres=[10759, 18, 10765],
         networks=["scifi", "sky1"], companies=["r&d", "universal"],
         created_by=["Ronald D. Moore", "Glen A. Larson"], runtime=44,
         popularity=61.5, vote=(8.2, 1354), rating="TV-14",
         ids=("tt0407362", 73545, 3914, None),
         overview="When an old enemy, the Cylons, resurface and obliterate the 12 colonies, "
                  "the crew of the aged Galactica protect a small civilian fleet - the last of "
                  "humankind - as they journey toward the fabled 13th colony, Earth.",
         tagline="The fight to save humanity has just begun.",
         cast=[("Edward James Olmos", "William Adama"), ("Mary McDonnell", "Laura Roslin"),
               ("Katee Sackhoff", "Kara 'Starbuck' Thrace"), ("Jamie Bamber", "Lee Adama"),
               ("Tricia Helfer", "Number Six")],
         keywords=["space opera", "cylon", "reboot", "post-apocalyptic future"],
         alt=[("US", "Battlestar Galactica (2004)")],
         seasons={0: None, 1: None, 2: None,
                  **_listed("3 20 2006-10-06; 4 20 2008-04-04")}),
    dict(id=1399, name="Game of Thrones", country="US", first="2011-04-17", last="2019-05-19",
         status="Ended", type="Scripted", genres=[10765, 18, 10759], networks=["hbo"],
         companies=["television360", "bighead", "hbo"],
         created_by=["David Benioff", "D. B. Weiss"], runtime=57,
         popularity=498.1, vote=(8.4, 23950), rating="TV-MA",
         ids=("tt0944947", 121361, 24493, "Q23572"),
         overview="Seven noble families fight for control of the mythical land of Westeros. "
                  "Friction between the houses leads to full-scale war. All while a very "
                  "ancient evil awakens in the farthest north.",
         tagline="Winter is coming.",
         cast=[("Emilia Clarke", "Daenerys Targaryen"), ("Kit Harington", "Jon Snow"),
               ("Peter Dinklage", "Tyrion Lannister"), ("Lena Headey", "Cersei Lannister"),
               ("Sean Bean", "Eddard Stark")],
         keywords=["based on novel or book", "dragon", "kingdom", "medieval fantasy"],
         alt=[("US", "GoT"), ("FR", "Le Trône de fer")],
         seasons={1: None, **_listed("2 10 2012-04-01; 3 10 2013-03-31; 4 10 2014-04-06; "
                                     "5 10 2015-04-12; 6 10 2016-04-24; 7 7 2017-07-16"),
                  8: None}),
    dict(id=456, name="The Simpsons", country="US", first="1989-12-17", last="2024-05-19",
         status="Returning Series", type="Scripted", genres=[10751, 16, 35],
         networks=["fox"], companies=["gracie", "20th"],
         created_by=["Matt Groening"], runtime=22, popularity=452.9, vote=(8.0, 10085),
         rating="TV-PG", in_production=True, ids=("tt0096697", 71663, 6190, "Q886"),
         overview="Set in Springfield, the average American town, the show focuses on the "
                  "antics and everyday adventures of the Simpson family: Homer, Marge, Bart, "
                  "Lisa and Maggie.",
         tagline="",
         cast=[("Dan Castellaneta", "Homer Simpson (voice)"),
               ("Julie Kavner", "Marge Simpson (voice)"),
               ("Nancy Cartwright", "Bart Simpson (voice)"),
               ("Yeardley Smith", "Lisa Simpson (voice)"),
               ("Hank Azaria", "Moe Szyslak (voice)")],
         keywords=["adult animation", "springfield", "sitcom", "satire"],
         alt=[("US", "Simpsons"), ("ES", "Los Simpson")],
         seasons={0: None, 1: None, **_listed(
             "2 22 1990-10-11; 3 24 1991-09-19; 4 22 1992-09-24; 5 22 1993-09-30; "
             "6 25 1994-09-04; 7 25 1995-09-17; 8 25 1996-10-27; 9 25 1997-09-21; "
             "10 23 1998-08-23; 11 22 1999-09-26; 12 21 2000-11-01; 13 22 2001-11-06; "
             "14 22 2002-11-03; 15 22 2003-11-02; 16 21 2004-11-07; 17 22 2005-09-11; "
             "18 22 2006-09-10; 19 20 2007-09-23; 20 21 2008-09-28; 21 23 2009-09-27; "
             "22 22 2010-09-26; 23 22 2011-09-25; 24 22 2012-09-30; 25 22 2013-09-29; "
             "26 22 2014-09-28; 27 22 2015-09-27; 28 22 2016-09-25; 29 21 2017-10-01; "
             "30 23 2018-09-30; 31 22 2019-09-29; 32 22 2020-09-27; 33 22 2021-09-26; "
             "34 22 2022-09-25; 35 18 2023-10-01")}),
    # TMDB numbers The Daily Show's seasons by broadcast year: season 1 is 1996, 29 is 2024.
    # Episode counts of the older seasons are approximate (only season 29 is listed here).
    dict(id=2224, name="The Daily Show", country="US", first="1996-07-22", last="2024-05-23",
         status="Returning Series", type="Talk Show", genres=[10767, 35, 10763],
         networks=["cc"], companies=["busboy"], created_by=["Lizz Winstead", "Madeleine Smithberg"],
         runtime=22, popularity=84.6, vote=(6.6, 512), rating="TV-14", in_production=True,
         ids=("tt0115147", 71256, 3285, None),
         overview="The Daily Show lampoons the news of the day with sharp satire, "
                  "correspondents in the field and interviews with the newsmakers.",
         tagline="",
         cast=[("Jon Stewart", "Himself - Host"), ("Jordan Klepper", "Himself - Host"),
               ("Ronny Chieng", "Himself - Correspondent"),
               ("Desi Lydic", "Herself - Correspondent")],
         keywords=["satire", "late night", "news parody", "talk show"],
         alt=[("US", "The Daily Show with Jon Stewart"),
              ("US", "The Daily Show with Trevor Noah")],
         seasons={**{n: (100 if n == 1 else 160, f"{1995 + n}-01-0{5 + n % 3}" if n > 1
                         else "1996-07-22") for n in range(1, 29)}, 29: None}),
    dict(id=60694, name="Last Week Tonight with John Oliver", country="US",
         first="2014-04-27", last="2024-06-02", status="Returning Series", type="Talk Show",
         genres=[35, 10767, 10763], networks=["hbo"], companies=["avalon"],
         created_by=["John Oliver"], runtime=32, popularity=57.3, vote=(7.8, 603),
         rating="TV-MA", in_production=True, ids=("tt3530232", 278518, 38773, None),
         overview="A half-hour satirical look at the week in news, politics and current "
                  "events, with a long main story each week.",
         tagline="",
         cast=[("John Oliver", "Himself - Host")],
         keywords=["satire", "news parody", "weekly", "talk show"],
         alt=[("US", "Last Week Tonight"), ("GB", "Last Week Tonight with John Oliver (2014)")],
         seasons={**_listed("1 24 2014-04-27; 2 35 2015-02-08; 3 30 2016-02-14; "
                            "4 30 2017-02-12; 5 30 2018-02-18; 6 30 2019-02-17; "
                            "7 30 2020-02-16; 8 30 2021-02-14; 9 30 2022-02-20; "
                            "10 20 2023-02-19"), 11: None}),
    dict(id=19885, name="Sherlock", country="GB", first="2010-07-25", last="2017-01-15",
         status="Ended", type="Scripted", genres=[80, 18, 9648], networks=["bbc1"],
         companies=["hartswood", "bbcwales"], created_by=["Mark Gatiss", "Steven Moffat"],
         runtime=88, popularity=118.4, vote=(8.5, 5123), rating="TV-14",
         ids=("tt1475582", 176941, 23433, None),
         overview="A modern update finds the famous sleuth and his doctor partner solving "
                  "crime in 21st century London.",
         tagline="",
         cast=[("Benedict Cumberbatch", "Sherlock Holmes"), ("Martin Freeman", "Dr. John Watson"),
               ("Una Stubbs", "Mrs. Hudson"), ("Rupert Graves", "DI Greg Lestrade")],
         keywords=["london, england", "detective", "modern adaptation"],
         alt=[("GB", "Sherlock (2010)")],
         seasons={1: None, 2: None, **_listed("3 3 2014-01-01; 4 3 2017-01-01")}),
    dict(id=1668, name="Friends", country="US", first="1994-09-22", last="2004-05-06",
         status="Ended", type="Scripted", genres=[35], networks=["nbc"],
         companies=["bright", "warner"], created_by=["David Crane", "Marta Kauffman"],
         runtime=22, popularity=447.2, vote=(8.4, 8301), rating="TV-14",
         ids=("tt0108778", 79168, 3616, "Q79784"),
         overview="Six young people from New York City, on their own and struggling to "
                  "survive in the real world, find the companionship, comfort and support they "
                  "get from each other to be the perfect antidote to the pressures of life.",
         tagline="",
         cast=[("Jennifer Aniston", "Rachel Green"), ("Courteney Cox", "Monica Geller"),
               ("Lisa Kudrow", "Phoebe Buffay"), ("Matt LeBlanc", "Joey Tribbiani"),
               ("Matthew Perry", "Chandler Bing")],
         keywords=["new york city", "sitcom", "friendship", "coffee shop"],
         alt=[("US", "Friends: The Complete Series")],
         seasons={1: None, **_listed("2 24 1995-09-21; 3 25 1996-09-19; 4 24 1997-09-25; "
                                     "5 24 1998-09-24; 6 25 1999-09-23; 7 24 2000-10-12; "
                                     "8 24 2001-09-27; 9 24 2002-09-26"), 10: None}),
    dict(id=66732, name="Stranger Things", country="US", first="2016-07-15",
         last="2022-07-01", status="Returning Series", type="Scripted",
         genres=[18, 10765, 9648], networks=["netflix"], companies=["21laps", "monkey"],
         created_by=["Matt Duffer", "Ross Duffer"], runtime=52, popularity=311.8,
         vote=(8.6, 17520), rating="TV-14", in_production=True,
         ids=("tt4574334", 305288, None, None),
         overview="When a young boy vanishes, a small town uncovers a mystery involving "
                  "secret experiments, terrifying supernatural forces, and one strange little "
                  "girl.",
         tagline="Every ending has a beginning.",
         cast=[("Millie Bobby Brown", "Eleven"), ("Winona Ryder", "Joyce Byers"),
               ("David Harbour", "Jim Hopper"), ("Finn Wolfhard", "Mike Wheeler"),
               ("Gaten Matarazzo", "Dustin Henderson")],
         keywords=["small town", "1980s", "supernatural", "telekinesis"],
         alt=[("US", "Montauk")],
         seasons={1: None, **_listed("2 9 2017-10-27; 3 8 2019-07-04"), 4: None}),
    dict(id=82856, name="The Mandalorian", country="US", first="2019-11-12",
         last="2023-04-19", status="Returning Series", type="Scripted",
         genres=[10765, 10759, 18], networks=["disney+"], companies=["lucasfilm"],
         created_by=["Jon Favreau"], runtime=40, popularity=148.9, vote=(8.5, 9834),
         rating="TV-14", in_production=True, ids=("tt8111088", 361753, None, None),
         overview="After the fall of the Galactic Empire, lawlessness has spread throughout "
                  "the galaxy. A lone gunfighter makes his way through the outer reaches, "
                  "earning his keep as a bounty hunter.",
         tagline="Bounty hunting is a complicated profession.",
         cast=[("Pedro Pascal", "Din Djarin"), ("Carl Weathers", "Greef Karga"),
               ("Gina Carano", "Cara Dune"), ("Giancarlo Esposito", "Moff Gideon")],
         keywords=["bounty hunter", "space western", "star wars"],
         alt=[("US", "Star Wars: The Mandalorian")],
         seasons={1: None, **_listed("2 8 2020-10-30; 3 8 2023-03-01")}),
    dict(id=1044, name="Planet Earth", country="GB", first="2006-03-05", last="2006-12-10",
         status="Ended", type="Documentary", genres=[99], networks=["bbc1"],
         companies=["bbcnhu"], created_by=["Alastair Fothergill"], runtime=50,
         popularity=36.2, vote=(8.6, 1187), rating="TV-G", ids=("tt0795176", 79257, 8389, None),
         overview="David Attenborough celebrates the amazing variety of the natural world in "
                  "this epic documentary series, filmed over four years across 64 different "
                  "countries.",
         tagline="",
         cast=[("David Attenborough", "Himself - Narrator"),
               ("Sigourney Weaver", "Herself - Narrator (US)")],
         keywords=["nature", "wildlife", "planet earth"],
         alt=[("US", "Planet Earth: The Complete Series")],
         seasons={1: None}),
    dict(id=68595, name="Planet Earth II", country="GB", first="2016-11-06",
         last="2016-12-11", status="Ended", type="Documentary", genres=[99],
         networks=["bbc1"], companies=["bbcnhu"], created_by=[], runtime=58,
         popularity=44.9, vote=(8.8, 1502), rating="TV-G", ids=("tt5491994", 318408, None, None),
         overview="David Attenborough presents a documentary series exploring how animals "
                  "meet the challenges of surviving in the most iconic habitats on earth.",
         tagline="",
         cast=[("David Attenborough", "Himself - Narrator")],
         keywords=["nature", "wildlife", "4k"],
         alt=[("GB", "Planet Earth 2")],
         seasons={1: None}),
    dict(id=19614, name="It", country="US", first="1990-11-18", last="1990-11-20",
         status="Ended", type="Miniseries", genres=[9648, 18, 10765], networks=["abc"],
         companies=["lorimar", "warner"], created_by=[], runtime=96,
         popularity=30.7, vote=(6.8, 1240), rating="TV-14", ids=("tt0099864", 77916, None, None),
         overview="In 1960, seven outcast kids known as \"The Losers' Club\" fight an evil "
                  "demon who poses as a child-killing clown. Thirty years later, they reunite "
                  "to stop the demon once and for all when it returns to their hometown.",
         tagline="",
         cast=[("Tim Curry", "Pennywise"), ("Richard Thomas", "Bill Denbrough"),
               ("John Ritter", "Ben Hanscom"), ("Annette O'Toole", "Beverly Marsh"),
               ("Harry Anderson", "Richie Tozier")],
         keywords=["based on novel or book", "clown", "miniseries", "maine"],
         alt=[("US", "Stephen King's It"), ("DE", "Es")],
         seasons={1: None}),
    dict(id=94997, name="House of the Dragon", country="US", first="2022-08-21",
         last="2022-10-23", status="Returning Series", type="Scripted",
         genres=[10765, 18, 10759], networks=["hbo"], companies=["bighead", "hbo"],
         created_by=["Ryan Condal", "George R. R. Martin"], runtime=64, popularity=512.4,
         vote=(8.4, 4402), rating="TV-MA", in_production=True,
         ids=("tt11198330", 371572, None, None),
         overview="The Targaryen dynasty is at the absolute apex of its power, with more than "
                  "15 dragons under their yoke. Most empires crumble from such heights. In the "
                  "case of the Targaryens, their slow fall begins when King Viserys breaks with "
                  "a century of tradition by naming his daughter Rhaenyra heir to the Iron "
                  "Throne.",
         tagline="Fire will reign.",
         cast=[("Paddy Considine", "King Viserys I Targaryen"),
               ("Matt Smith", "Prince Daemon Targaryen"),
               ("Emma D'Arcy", "Princess Rhaenyra Targaryen"),
               ("Olivia Cooke", "Queen Alicent Hightower")],
         keywords=["based on novel or book", "dragon", "prequel", "succession"],
         alt=[("US", "HotD")],
         seasons={1: None, **_listed("2 8 2024-06-16")}),
    dict(id=126308, name="Shōgun", country="US", first="2024-02-27", last="2024-04-23",
         status="Returning Series", type="Scripted", genres=[18, 10768],
         networks=["fx", "hulu"], companies=["fxp"], created_by=["Rachel Kondo", "Justin Marks"],
         runtime=58, popularity=121.5, vote=(8.6, 1342), rating="TV-MA", in_production=True,
         extra_languages=["ja"], ids=("tt2788316", 390430, None, None),
         overview="In Japan in the year 1600, at the dawn of a century-defining civil war, "
                  "Lord Yoshii Toranaga is fighting for his life as his enemies on the Council "
                  "of Regents unite against him, when a mysterious European ship is found "
                  "marooned in a nearby fishing village.",
         tagline="",
         cast=[("Hiroyuki Sanada", "Yoshii Toranaga"), ("Cosmo Jarvis", "John Blackthorne"),
               ("Anna Sawai", "Toda Mariko"), ("Tadanobu Asano", "Kashigi Yabushige")],
         keywords=["based on novel or book", "feudal japan", "samurai", "remake"],
         alt=[("US", "Shogun"), ("JP", "SHOGUN 将軍")],
         seasons={1: None}),
    dict(id=13862, name="Shōgun", country="US", first="1980-09-15", last="1980-09-19",
         status="Ended", type="Miniseries", genres=[10759, 18, 10768], networks=["nbc"],
         companies=["paramount"], created_by=["James Clavell"], runtime=110,
         popularity=11.9, vote=(7.6, 121), rating="TV-14", ids=("tt0080274", 78857, None, None),
         overview="An English navigator becomes both a player and pawn in complex political "
                  "games in feudal Japan.",
         tagline="A nation of violence, Samurai warriors ... and forbidden love.",
         cast=[("Richard Chamberlain", "John Blackthorne"), ("Toshirō Mifune", "Toranaga"),
               ("Yōko Shimada", "Toda Buntaro-Mariko"),
               ("John Rhys-Davies", "Vasco Rodrigues")],
         keywords=["japan", "samurai", "miniseries", "17th century"],
         alt=[("US", "James Clavell's Shogun"), ("US", "Shogun")],
         seasons={1: None}),
    dict(id=1033, name="Cosmos: A Personal Voyage", country="US", first="1980-09-28",
         last="1980-12-21", status="Ended", type="Documentary", genres=[99],
         networks=["pbs"], companies=["kcet"], created_by=["Carl Sagan"], runtime=60,
         popularity=15.3, vote=(8.6, 402), rating="TV-G", ids=("tt0081846", 72298, None, None),
         overview="Astronomer Carl Sagan leads us on an engaging guided tour of the various "
                  "elements and cosmological theories of the universe.",
         tagline="",
         cast=[("Carl Sagan", "Himself - Host")],
         keywords=["astronomy", "space", "science"],
         alt=[("US", "Cosmos"), ("US", "Carl Sagan's Cosmos")],
         seasons={1: None}),
    dict(id=58474, name="Cosmos: A Spacetime Odyssey", country="US", first="2014-03-09",
         last="2020-06-01", status="Ended", type="Documentary", genres=[99],
         networks=["fox", "natgeo"], companies=["fuzzy", "cosmos"],
         created_by=["Ann Druyan", "Steven Soter"], runtime=44, popularity=31.8,
         vote=(8.5, 1230), rating="TV-PG", ids=("tt2395695", 260586, None, None),
         overview="Neil deGrasse Tyson hosts this follow-up to Carl Sagan's series, exploring "
                  "how we discovered the laws of nature and found our coordinates in space and "
                  "time.",
         tagline="",
         cast=[("Neil deGrasse Tyson", "Himself - Host")],
         keywords=["astronomy", "space", "science", "sequel"],
         alt=[("US", "Cosmos"), ("US", "Cosmos: Possible Worlds")],
         seasons={1: None, **_listed("2 13 2020-03-09")}),
    dict(id=45, name="Top Gear", country="GB", first="2002-10-20", last="2022-12-11",
         status="Returning Series", type="Reality", genres=[10764, 10767], networks=["bbc2"],
         companies=["bbc"], created_by=["Jeremy Clarkson", "Andy Wilman"], runtime=60,
         popularity=72.4, vote=(8.1, 713), rating="TV-PG", ids=("tt1628033", 74608, 6753, None),
         overview="Jeremy Clarkson, Richard Hammond and James May present the world's biggest "
                  "motoring show: car reviews, challenges, the Stig and a Star in a Reasonably "
                  "Priced Car.",
         tagline="",
         cast=[("Jeremy Clarkson", "Himself - Presenter"),
               ("Richard Hammond", "Himself - Presenter"), ("James May", "Himself - Presenter")],
         keywords=["car", "motoring", "challenge"],
         alt=[("GB", "Top Gear (2002)")],
         seasons={1: None, **_listed(
             "2 10 2003-05-11; 3 9 2003-10-26; 4 10 2004-05-09; 5 9 2004-10-24; "
             "6 11 2005-05-22; 7 7 2005-11-13; 8 8 2006-05-07; 9 6 2007-01-28; "
             "10 10 2007-10-07; 11 6 2008-06-22; 12 8 2008-11-02; 13 7 2009-06-21; "
             "14 7 2009-11-15; 15 6 2010-06-27; 16 8 2010-12-21; 17 6 2011-06-26; "
             "18 8 2011-12-28; 19 7 2013-01-27; 20 6 2013-06-30; 21 7 2014-02-02; "
             "22 8 2015-01-25; 23 6 2016-05-29; 24 7 2017-03-05; 25 6 2018-03-11; "
             "26 7 2019-02-17; 27 6 2019-06-23; 28 6 2020-01-26; 29 5 2020-09-27; "
             "30 6 2021-02-14; 31 5 2021-06-27; 32 6 2022-01-23; 33 6 2022-10-30")}),
]

# -- episodes -------------------------------------------------------------------------------
# (show id, season number) -> [(title, air date[, runtime in minutes])], numbered from 1 in
# order; without a runtime an episode runs the show's ``runtime``.

EPISODES: dict[tuple[int, int], list[tuple[Any, ...]]] = {
    (1396, 0): [("Good Cop Bad Cop", "2009-02-17", 4), ("Wedding Day", "2009-02-24", 4),
                ("Twin Cousins", "2009-03-03", 3), ("Marie's Confession", "2009-03-10", 3),
                ("The Break-In", "2011-07-11", 4)],
    (1396, 1): [("Pilot", "2008-01-20", 58), ("Cat's in the Bag...", "2008-01-27", 48),
                ("...And the Bag's in the River", "2008-02-10", 48),
                ("Cancer Man", "2008-02-17", 48), ("Gray Matter", "2008-02-24", 48),
                ("Crazy Handful of Nothin'", "2008-03-02", 48),
                ("A No-Rough-Stuff-Type Deal", "2008-03-09", 48)],
    (1396, 5): [("Live Free or Die", "2012-07-15", 43), ("Madrigal", "2012-07-22"),
                ("Hazard Pay", "2012-07-29"), ("Fifty-One", "2012-08-05"),
                ("Dead Freight", "2012-08-12"), ("Buyout", "2012-08-19"),
                ("Say My Name", "2012-08-26"), ("Gliding Over All", "2012-09-02"),
                ("Blood Money", "2013-08-11"), ("Buried", "2013-08-18"),
                ("Confessions", "2013-08-25"), ("Rabid Dog", "2013-09-01"),
                ("To'hajiilee", "2013-09-08"), ("Ozymandias", "2013-09-15"),
                ("Granite State", "2013-09-22", 55), ("Felina", "2013-09-29", 55)],
    (2316, 1): [("Pilot", "2005-03-24", 23), ("Diversity Day", "2005-03-29"),
                ("Health Care", "2005-04-05"), ("The Alliance", "2005-04-12"),
                ("Basketball", "2005-04-19"), ("Hot Girl", "2005-04-26")],
    (2316, 2): [("The Dundies", "2005-09-20"), ("Sexual Harassment", "2005-09-27"),
                ("Office Olympics", "2005-10-04"), ("The Fire", "2005-10-11"),
                ("Halloween", "2005-10-18"), ("The Fight", "2005-11-01"),
                ("The Client", "2005-11-08"), ("Performance Review", "2005-11-15"),
                ("E-Mail Surveillance", "2005-11-22"), ("Christmas Party", "2005-12-06"),
                ("Booze Cruise", "2006-01-05"), ("The Injury", "2006-01-12"),
                ("The Secret", "2006-01-19"), ("The Carpet", "2006-01-26"),
                ("Boys and Girls", "2006-02-02"), ("Valentine's Day", "2006-02-09"),
                ("Dwight's Speech", "2006-03-02"), ("Take Your Daughter to Work Day", "2006-03-16"),
                ("Michael's Birthday", "2006-03-30"), ("Drug Testing", "2006-04-27"),
                ("Conflict Resolution", "2006-05-04"), ("Casino Night", "2006-05-11", 28)],
    (2996, 0): [("Christmas Special (1)", "2003-12-26", 49),
                ("Christmas Special (2)", "2003-12-27", 52)],
    (2996, 1): [("Downsize", "2001-07-09"), ("Work Experience", "2001-07-16"),
                ("The Quiz", "2001-07-23"), ("Training", "2001-07-30"),
                ("New Girl", "2001-08-06"), ("Judgement", "2001-08-20")],
    (2996, 2): [("Merger", "2002-09-30"), ("Appraisals", "2002-10-07"),
                ("Party", "2002-10-14"), ("Motivation", "2002-10-21"),
                ("Charity", "2002-10-28"), ("Interview", "2002-11-04")],
    # TMDB lists the 1963 season 1 by individual episode (42), serials in order.
    (121, 1): [("An Unearthly Child", "1963-11-23"), ("The Cave of Skulls", "1963-11-30"),
               ("The Forest of Fear", "1963-12-07"), ("The Firemaker", "1963-12-14"),
               ("The Dead Planet", "1963-12-21"), ("The Survivors", "1963-12-28"),
               ("The Escape", "1964-01-04"), ("The Ambush", "1964-01-11"),
               ("The Expedition", "1964-01-18"), ("The Ordeal", "1964-01-25"),
               ("The Rescue", "1964-02-01"), ("The Edge of Destruction", "1964-02-08"),
               ("The Brink of Disaster", "1964-02-15"), ("The Roof of the World", "1964-02-22"),
               ("The Singing Sands", "1964-02-29"), ("Five Hundred Eyes", "1964-03-07"),
               ("The Wall of Lies", "1964-03-14"), ("Rider from Shang-Tu", "1964-03-21"),
               ("Mighty Kublai Khan", "1964-03-28"), ("Assassin at Peking", "1964-04-04"),
               ("The Sea of Death", "1964-04-11"), ("The Velvet Web", "1964-04-18"),
               ("The Screaming Jungle", "1964-04-25"), ("The Snows of Terror", "1964-05-02"),
               ("Sentence of Death", "1964-05-09"), ("The Keys of Marinus", "1964-05-16"),
               ("The Temple of Evil", "1964-05-23"), ("The Warriors of Death", "1964-05-30"),
               ("The Bride of Sacrifice", "1964-06-06"), ("The Day of Darkness", "1964-06-13"),
               ("Strangers in Space", "1964-06-20"), ("The Unwilling Warriors", "1964-06-27"),
               ("Hidden Danger", "1964-07-04"), ("A Race Against Death", "1964-07-11"),
               ("Kidnap", "1964-07-18"), ("A Desperate Venture", "1964-08-01"),
               ("A Land of Fear", "1964-08-08"), ("Guests of Madame Guillotine", "1964-08-15"),
               ("A Change of Identity", "1964-08-22"), ("The Tyrant of France", "1964-08-29"),
               ("A Bargain of Necessity", "1964-09-05"),
               ("Prisoners of Conciergerie", "1964-09-12")],
    (57243, 0): [("Children in Need Special", "2005-11-18", 7),
                 ("The Christmas Invasion", "2005-12-25", 60),
                 ("Attack of the Graske", "2005-12-25", 13),
                 ("The Runaway Bride", "2006-12-25", 64)],
    (57243, 1): [("Rose", "2005-03-26"), ("The End of the World", "2005-04-02"),
                 ("The Unquiet Dead", "2005-04-09"), ("Aliens of London", "2005-04-16"),
                 ("World War Three", "2005-04-23"), ("Dalek", "2005-04-30"),
                 ("The Long Game", "2005-05-07"), ("Father's Day", "2005-05-14"),
                 ("The Empty Child", "2005-05-21"), ("The Doctor Dances", "2005-05-28"),
                 ("Boom Town", "2005-06-04"), ("Bad Wolf", "2005-06-11"),
                 ("The Parting of the Ways", "2005-06-18")],
    (501, 1): [("Saga of a Star World (1)", "1978-09-17"),
               ("Saga of a Star World (2)", "1978-09-17"),
               ("Saga of a Star World (3)", "1978-09-17"),
               ("Lost Planet of the Gods (1)", "1978-09-24"),
               ("Lost Planet of the Gods (2)", "1978-10-01"), ("The Lost Warrior", "1978-10-08"),
               ("The Long Patrol", "1978-10-15"), ("The Gun on Ice Planet Zero (1)", "1978-10-22"),
               ("The Gun on Ice Planet Zero (2)", "1978-10-29"),
               ("The Magnificent Warriors", "1978-11-12"), ("The Young Lords", "1978-11-19"),
               ("The Living Legend (1)", "1978-11-26"), ("The Living Legend (2)", "1978-12-03"),
               ("Fire in Space", "1978-12-17"), ("War of the Gods (1)", "1979-01-14"),
               ("War of the Gods (2)", "1979-01-21"), ("The Man with Nine Lives", "1979-01-28"),
               ("Murder on the Rising Star", "1979-02-18"),
               ("Greetings from Earth (1)", "1979-02-25"),
               ("Greetings from Earth (2)", "1979-02-25"), ("Baltar's Escape", "1979-03-11"),
               ("Experiment in Terra", "1979-03-18"), ("Take the Celestra", "1979-04-01"),
               ("The Hand of God", "1979-04-29")],
    # The 2003 miniseries that launched the 2004 series sits in its specials.
    (1972, 0): [("Miniseries (1)", "2003-12-08", 91), ("Miniseries (2)", "2003-12-09", 88),
                ("Razor", "2007-11-24", 101)],
    (1972, 1): [("33", "2004-10-18"), ("Water", "2004-10-25"), ("Bastille Day", "2004-11-01"),
                ("Act of Contrition", "2004-11-08"), ("You Can't Go Home Again", "2004-11-15"),
                ("Litmus", "2004-11-22"), ("Six Degrees of Separation", "2004-11-29"),
                ("Flesh and Bone", "2004-12-06"), ("Tigh Me Up, Tigh Me Down", "2004-12-13"),
                ("The Hand of God", "2005-01-10"), ("Colonial Day", "2005-01-17"),
                ("Kobol's Last Gleaming (1)", "2005-01-24"),
                ("Kobol's Last Gleaming (2)", "2005-01-31")],
    (1972, 2): [("Scattered", "2005-07-15"), ("Valley of Darkness", "2005-07-22"),
                ("Fragged", "2005-07-29"), ("Resistance", "2005-08-05"),
                ("The Farm", "2005-08-12"), ("Home (1)", "2005-08-19"),
                ("Home (2)", "2005-08-26"), ("Final Cut", "2005-09-09"),
                ("Flight of the Phoenix", "2005-09-16"), ("Pegasus", "2005-09-23", 48),
                ("Resurrection Ship (1)", "2006-01-06"), ("Resurrection Ship (2)", "2006-01-13"),
                ("Epiphanies", "2006-01-20"), ("Black Market", "2006-01-27"),
                ("Scar", "2006-02-03"), ("Sacrifice", "2006-02-10"),
                ("The Captain's Hand", "2006-02-17"), ("Downloaded", "2006-02-24"),
                ("Lay Down Your Burdens (1)", "2006-03-03"),
                ("Lay Down Your Burdens (2)", "2006-03-10", 62)],
    (1399, 1): [("Winter Is Coming", "2011-04-17", 62), ("The Kingsroad", "2011-04-24", 56),
                ("Lord Snow", "2011-05-01", 58),
                ("Cripples, Bastards, and Broken Things", "2011-05-08", 56),
                ("The Wolf and the Lion", "2011-05-15", 55), ("A Golden Crown", "2011-05-22", 53),
                ("You Win or You Die", "2011-05-29", 58), ("The Pointy End", "2011-06-05", 59),
                ("Baelor", "2011-06-12", 57), ("Fire and Blood", "2011-06-19", 53)],
    (1399, 8): [("Winterfell", "2019-04-14", 54),
                ("A Knight of the Seven Kingdoms", "2019-04-21", 58),
                ("The Long Night", "2019-04-28", 82), ("The Last of the Starks", "2019-05-05", 78),
                ("The Bells", "2019-05-12", 80), ("The Iron Throne", "2019-05-19", 80)],
    (456, 0): [("Good Night", "1987-04-19", 2), ("Watching TV", "1987-05-03", 2),
               ("Jumping Jack", "1987-05-10", 2)],
    (456, 1): [("Simpsons Roasting on an Open Fire", "1989-12-17", 23),
               ("Bart the Genius", "1990-01-14", 23), ("Homer's Odyssey", "1990-01-21"),
               ("There's No Disgrace Like Home", "1990-01-28"), ("Bart the General", "1990-02-04"),
               ("Moaning Lisa", "1990-02-11"), ("The Call of the Simpsons", "1990-02-18"),
               ("The Telltale Head", "1990-02-25"), ("Life on the Fast Lane", "1990-03-18"),
               ("Homer's Night Out", "1990-03-25"), ("The Crepes of Wrath", "1990-04-15"),
               ("Krusty Gets Busted", "1990-04-29"), ("Some Enchanted Evening", "1990-05-13")],
    (19885, 1): [("A Study in Pink", "2010-07-25", 88), ("The Blind Banker", "2010-08-01", 89),
                 ("The Great Game", "2010-08-08", 89)],
    (19885, 2): [("A Scandal in Belgravia", "2012-01-01", 89),
                 ("The Hounds of Baskerville", "2012-01-08", 88),
                 ("The Reichenbach Fall", "2012-01-15", 88)],
    (1668, 1): [("The One Where Monica Gets a Roommate", "1994-09-22"),
                ("The One with the Sonogram at the End", "1994-09-29"),
                ("The One with the Thumb", "1994-10-06"),
                ("The One with George Stephanopoulos", "1994-10-13"),
                ("The One with the East German Laundry Detergent", "1994-10-20"),
                ("The One with the Butt", "1994-10-27"),
                ("The One with the Blackout", "1994-11-03"),
                ("The One Where Nana Dies Twice", "1994-11-10"),
                ("The One Where Underdog Gets Away", "1994-11-17"),
                ("The One with the Monkey", "1994-12-15"), ("The One with Mrs. Bing", "1995-01-05"),
                ("The One with the Dozen Lasagnas", "1995-01-12"),
                ("The One with the Boobies", "1995-01-19"),
                ("The One with the Candy Hearts", "1995-02-09"),
                ("The One with the Stoned Guy", "1995-02-16"),
                ("The One with Two Parts (1)", "1995-02-23"),
                ("The One with Two Parts (2)", "1995-03-02"),
                ("The One with All the Poker", "1995-03-02"),
                ("The One Where the Monkey Gets Away", "1995-03-09"),
                ("The One with the Evil Orthodontist", "1995-04-06"),
                ("The One with the Fake Monica", "1995-04-27"),
                ("The One with the Ick Factor", "1995-05-04"),
                ("The One with the Birth", "1995-05-11"),
                ("The One Where Rachel Finds Out", "1995-05-18")],
    (1668, 10): [("The One After Joey and Rachel Kiss", "2003-09-25"),
                 ("The One Where Ross Is Fine", "2003-10-02"),
                 ("The One with Ross's Tan", "2003-10-09"), ("The One with the Cake", "2003-10-23"),
                 ("The One Where Rachel's Sister Babysits", "2003-10-30"),
                 ("The One with Ross's Grant", "2003-11-06"),
                 ("The One with the Home Study", "2003-11-13"),
                 ("The One with the Late Thanksgiving", "2003-11-20"),
                 ("The One with the Birth Mother", "2004-01-08"),
                 ("The One Where Chandler Gets Caught", "2004-01-15"),
                 ("The One Where the Stripper Cries", "2004-02-05"),
                 ("The One with Phoebe's Wedding", "2004-02-12"),
                 ("The One Where Joey Speaks French", "2004-02-19"),
                 ("The One with Princess Consuela", "2004-02-26"),
                 ("The One Where Estelle Dies", "2004-04-22"),
                 ("The One with Rachel's Going Away Party", "2004-04-29"),
                 ("The Last One (1)", "2004-05-06"), ("The Last One (2)", "2004-05-06")],
    (66732, 1): [("Chapter One: The Vanishing of Will Byers", "2016-07-15", 49),
                 ("Chapter Two: The Weirdo on Maple Street", "2016-07-15", 56),
                 ("Chapter Three: Holly, Jolly", "2016-07-15", 52),
                 ("Chapter Four: The Body", "2016-07-15", 51),
                 ("Chapter Five: The Flea and the Acrobat", "2016-07-15", 53),
                 ("Chapter Six: The Monster", "2016-07-15", 47),
                 ("Chapter Seven: The Bathtub", "2016-07-15", 42),
                 ("Chapter Eight: The Upside Down", "2016-07-15", 55)],
    (66732, 4): [("Chapter One: The Hellfire Club", "2022-05-27", 78),
                 ("Chapter Two: Vecna's Curse", "2022-05-27", 76),
                 ("Chapter Three: The Monster and the Superhero", "2022-05-27", 64),
                 ("Chapter Four: Dear Billy", "2022-05-27", 78),
                 ("Chapter Five: The Nina Project", "2022-05-27", 76),
                 ("Chapter Six: The Dive", "2022-05-27", 75),
                 ("Chapter Seven: The Massacre at Hawkins Lab", "2022-05-27", 99),
                 ("Chapter Eight: Papa", "2022-07-01", 86),
                 ("Chapter Nine: The Piggyback", "2022-07-01", 142)],
    (82856, 1): [("Chapter 1: The Mandalorian", "2019-11-12", 39),
                 ("Chapter 2: The Child", "2019-11-15", 32),
                 ("Chapter 3: The Sin", "2019-11-22", 37),
                 ("Chapter 4: Sanctuary", "2019-11-29", 41),
                 ("Chapter 5: The Gunslinger", "2019-12-06", 35),
                 ("Chapter 6: The Prisoner", "2019-12-13", 43),
                 ("Chapter 7: The Reckoning", "2019-12-18", 37),
                 ("Chapter 8: Redemption", "2019-12-27", 48)],
    (1044, 1): [("From Pole to Pole", "2006-03-05"), ("Mountains", "2006-03-12"),
                ("Fresh Water", "2006-03-19"), ("Caves", "2006-03-26"), ("Deserts", "2006-04-02"),
                ("Ice Worlds", "2006-11-05"), ("Shallow Seas", "2006-11-12"),
                ("Great Plains", "2006-11-19"), ("Jungles", "2006-11-26"),
                ("Ocean Deep", "2006-12-03"), ("Seasonal Forests", "2006-12-10")],
    (68595, 1): [("Islands", "2016-11-06"), ("Mountains", "2016-11-13"),
                 ("Jungles", "2016-11-20"), ("Deserts", "2016-11-27"),
                 ("Grasslands", "2016-12-04"), ("Cities", "2016-12-11")],
    (19614, 1): [("Part 1", "1990-11-18", 96), ("Part 2", "1990-11-20", 96)],
    (94997, 1): [("The Heirs of the Dragon", "2022-08-21", 66),
                 ("The Rogue Prince", "2022-08-28", 54),
                 ("Second of His Name", "2022-09-04", 63),
                 ("King of the Narrow Sea", "2022-09-11", 58),
                 ("We Light the Way", "2022-09-18", 63),
                 ("The Princess and the Queen", "2022-09-25", 65),
                 ("Driftmark", "2022-10-02", 67), ("The Lord of the Tides", "2022-10-09", 68),
                 ("The Green Council", "2022-10-16", 68), ("The Black Queen", "2022-10-23", 66)],
    (126308, 1): [("Anjin", "2024-02-27", 68), ("Servants of Two Masters", "2024-02-27", 58),
                  ("Tomorrow Is Tomorrow", "2024-03-05", 58),
                  ("The Eightfold Fence", "2024-03-12", 53),
                  ("Broken to the Fist", "2024-03-19", 58),
                  ("Ladies of the Willow World", "2024-03-26", 58),
                  ("A Stick of Time", "2024-04-02", 53),
                  ("The Abyss of Life", "2024-04-09", 58), ("Crimson Sky", "2024-04-16", 58),
                  ("A Dream of a Dream", "2024-04-23", 69)],
    (13862, 1): [("Part 1", "1980-09-15", 140), ("Part 2", "1980-09-16", 94),
                 ("Part 3", "1980-09-17", 93), ("Part 4", "1980-09-18", 94),
                 ("Part 5", "1980-09-19", 140)],
    (1033, 1): [("The Shores of the Cosmic Ocean", "1980-09-28"),
                ("One Voice in the Cosmic Fugue", "1980-10-05"),
                ("Harmony of the Worlds", "1980-10-12"), ("Heaven and Hell", "1980-10-19"),
                ("Blues for a Red Planet", "1980-10-26"), ("Travellers' Tales", "1980-11-02"),
                ("The Backbone of Night", "1980-11-09"),
                ("Journeys in Space and Time", "1980-11-16"),
                ("The Lives of the Stars", "1980-11-23"), ("The Edge of Forever", "1980-11-30"),
                ("The Persistence of Memory", "1980-12-07"),
                ("Encyclopaedia Galactica", "1980-12-14"), ("Who Speaks for Earth?", "1980-12-21")],
    (58474, 1): [("Standing Up in the Milky Way", "2014-03-09"),
                 ("Some of the Things That Molecules Do", "2014-03-16"),
                 ("When Knowledge Conquered Fear", "2014-03-23"),
                 ("A Sky Full of Ghosts", "2014-03-30"), ("Hiding in the Light", "2014-04-06"),
                 ("Deeper, Deeper, Deeper Still", "2014-04-13"), ("The Clean Room", "2014-04-20"),
                 ("Sisters of the Sun", "2014-04-27"),
                 ("The Lost Worlds of Planet Earth", "2014-05-04"),
                 ("The Electric Boy", "2014-05-11"), ("The Immortals", "2014-05-18"),
                 ("The World Set Free", "2014-06-01"), ("Unafraid of the Dark", "2014-06-08")],
    (45, 1): [(f"Episode {n}", date) for n, date in enumerate(
        ["2002-10-20", "2002-10-27", "2002-11-03", "2002-11-10", "2002-11-17", "2002-11-24",
         "2002-12-01", "2002-12-08", "2002-12-15", "2002-12-29"], start=1)],
}


def _dated(first: str, last: str, weekdays: set[int], breaks: list[str]) -> list[str]:
    """Air dates from ``first`` to ``last`` on ``weekdays`` (0 = Monday), skipping the weeks
    (given by their Monday) in ``breaks``."""
    day, end = _dt.date.fromisoformat(first), _dt.date.fromisoformat(last)
    off = {_dt.date.fromisoformat(b) for b in breaks}
    out = []
    while day <= end:
        monday = day - _dt.timedelta(days=day.weekday())
        if day.weekday() in weekdays and monday not in off:
            out.append(day.isoformat())
        day += _dt.timedelta(days=1)
    return out


def _date_title(iso: str) -> str:
    day = _dt.date.fromisoformat(iso)
    return f"{day:%B} {day.day}, {day.year}"


# The Daily Show, season 29 (2024): Monday to Thursday, with its break weeks; titled by date.
EPISODES[(2224, 29)] = [(_date_title(d), d) for d in _dated(
    "2024-01-08", "2024-05-30", {0, 1, 2, 3},
    ["2024-02-19", "2024-03-25", "2024-04-22", "2024-05-27"])]
# Last Week Tonight, season 11 (2024): Sundays; titled by date.
EPISODES[(60694, 11)] = [(_date_title(d), d) for d in _dated(
    "2024-02-18", "2024-06-02", {6}, ["2024-03-25", "2024-05-20"])]

# Director and writer of episodes, where known: (show, season, episode) -> (director, writer).
CREW: dict[tuple[int, int, int], tuple[str, str]] = {
    (1396, 1, 1): ("Vince Gilligan", "Vince Gilligan"),
    (1396, 5, 14): ("Rian Johnson", "Moira Walley-Beckett"),
    (1396, 5, 15): ("Peter Gould", "Peter Gould"),
    (1396, 5, 16): ("Vince Gilligan", "Vince Gilligan"),
    (2316, 1, 1): ("Ken Kwapis", "Greg Daniels"),
    (2996, 1, 1): ("Ricky Gervais", "Ricky Gervais"),
    (121, 1, 1): ("Waris Hussein", "Anthony Coburn"),
    (57243, 1, 1): ("Keith Boak", "Russell T Davies"),
    (501, 1, 1): ("Richard A. Colla", "Glen A. Larson"),
    (1972, 1, 1): ("Michael Rymer", "Ronald D. Moore"),
    (1399, 1, 1): ("Tim Van Patten", "David Benioff"),
    (1399, 8, 3): ("Miguel Sapochnik", "David Benioff"),
    (456, 1, 1): ("David Silverman", "Mimi Pond"),
    (19885, 1, 1): ("Paul McGuigan", "Steven Moffat"),
    (1668, 1, 1): ("James Burrows", "David Crane"),
    (66732, 1, 1): ("Matt Duffer", "Matt Duffer"),
    (82856, 1, 1): ("Dave Filoni", "Jon Favreau"),
    (19614, 1, 1): ("Tommy Lee Wallace", "Lawrence D. Cohen"),
    (94997, 1, 1): ("Miguel Sapochnik", "Ryan Condal"),
    (126308, 1, 1): ("Jonathan van Tulleken", "Rachel Kondo"),
    (13862, 1, 1): ("Jerry London", "Eric Bercovici"),
}

LANGUAGES = {"en": "English", "ja": "日本語"}
COUNTRIES = {"US": "United States of America", "GB": "United Kingdom"}

# The shows and specials the identification categories need (snapshot_more).
SHOWS += _more.SHOWS
EPISODES.update(_more.EPISODES)
for _show in SHOWS:
    _show["seasons"].update({n: None for (sid, n) in _more.EPISODES if sid == _show["id"]})
NETWORKS.update(_more.NETWORKS)
COMPANIES.update(_more.COMPANIES)
COUNTRIES.update(_more.COUNTRIES)

# -- expansion into TMDB documents ----------------------------------------------------------

_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _hash(*parts: object) -> int:
    return int.from_bytes(hashlib.sha1("/".join(map(str, parts)).encode()).digest(), "big")


def _image(*parts: object) -> str:
    """A TMDB-looking image path (27 base-62 characters), stable for ``parts``."""
    n, chars = _hash("image", *parts), []
    for _ in range(27):
        n, r = divmod(n, 62)
        chars.append(_B62[r])
    return "/" + "".join(chars) + ".jpg"


def _credit_id(*parts: object) -> str:
    return hashlib.md5("/".join(map(str, parts)).encode()).hexdigest()[:24]


def _person_id(name: str) -> int:
    return 1_000_000 + zlib.crc32(name.encode()) % 4_000_000


def _person(name: str, department: str) -> dict[str, Any]:
    return {"adult": False, "gender": 0, "id": _person_id(name),
            "known_for_department": department, "name": name, "original_name": name,
            "popularity": round(1 + _hash("pop", name) % 4000 / 100, 3),
            "profile_path": _image("profile", name)}


def _vote(*parts: object) -> tuple[float, int]:
    n = _hash("vote", *parts)
    return round(6.5 + (n % 30) / 10, 1), 5 + n % 120


class _Ids:
    """Unique ids in a TMDB-like range, derived from a key (probing past collisions)."""

    def __init__(self, base: int, span: int) -> None:
        self.base, self.span = base, span
        self.used: set[int] = set()

    def __call__(self, *key: object) -> int:
        n = self.base + _hash(*key) % self.span
        while n in self.used:
            n += 1
        self.used.add(n)
        return n


def _season_name(number: int) -> str:
    return "Specials" if number == 0 else f"Season {number}"


def _episode(show: dict[str, Any], season: int, number: int, row: tuple[Any, ...],
             last: int, ids: _Ids) -> dict[str, Any]:
    title, air_date = row[0], row[1]
    runtime = row[2] if len(row) > 2 else show["runtime"]
    crew = []
    if (show["id"], season, number) in CREW:
        director, writer = CREW[(show["id"], season, number)]
        for name, job, dept in ((director, "Director", "Directing"),
                                (writer, "Writer", "Writing")):
            crew.append({**_person(name, dept), "department": dept, "job": job,
                         "credit_id": _credit_id(show["id"], season, number, job, name)})
    average, count = _vote(show["id"], season, number)
    return {
        "air_date": air_date, "episode_number": number,
        "episode_type": "finale" if number == last and season > 0 else "standard",
        "id": ids("episode", show["id"], season, number), "name": title,
        "overview": f"{show['name']}, {_season_name(season).lower()}, episode {number}: "
                    f"\u201c{title}\u201d.",
        "production_code": "", "runtime": runtime, "season_number": season,
        "show_id": show["id"], "still_path": _image("still", show["id"], season, number),
        "vote_average": average, "vote_count": count, "crew": crew, "guest_stars": [],
    }


def _expand() -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, dict[str, Any]]]]:
    episode_ids, season_ids = _Ids(60_000, 5_000_000), _Ids(3_000, 400_000)
    shows: dict[str, dict[str, Any]] = {}
    seasons: dict[str, dict[str, dict[str, Any]]] = {}
    for show in SHOWS:
        sid = show["id"]
        listed, docs = [], {}
        for number in sorted(show["seasons"]):
            spec = show["seasons"][number]
            season_id = season_ids("season", sid, number)
            poster = _image("season", sid, number)
            if spec is None:
                rows = EPISODES[(sid, number)]
                episodes = [_episode(show, number, n, row, len(rows), episode_ids)
                            for n, row in enumerate(rows, start=1)]
                count, air_date = len(episodes), episodes[0]["air_date"]
                docs[str(number)] = {
                    "_id": _credit_id("season", sid, number), "air_date": air_date,
                    "episodes": episodes, "id": season_id, "name": _season_name(number),
                    "overview": "", "poster_path": poster, "season_number": number,
                    "vote_average": _vote(sid, number)[0],
                }
            else:
                count, air_date = spec
            listed.append({"air_date": air_date, "episode_count": count, "id": season_id,
                           "name": _season_name(number), "overview": "",
                           "poster_path": poster, "season_number": number,
                           "vote_average": _vote(sid, number)[0]})
        shows[str(sid)] = _show_doc(show, listed, docs)
        seasons[str(sid)] = docs
    return shows, seasons


def _show_doc(show: dict[str, Any], listed: list[dict[str, Any]],
              docs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    sid, name = show["id"], show["name"]
    lang, country = show.get("lang", "en"), show["country"]
    languages = [lang] + (["ja"] if "ja" in show.get("extra_languages", []) else [])
    poster, backdrop = _image("poster", sid), _image("backdrop", sid)
    imdb, tvdb, tvrage, wikidata = show["ids"]
    main = [s for s in listed if s["season_number"] > 0]
    last_episode = None
    for doc in docs.values():
        for episode in doc["episodes"]:
            if episode["air_date"] == show["last"] and episode["season_number"] > 0:
                last_episode = {k: v for k, v in episode.items()
                                if k not in ("crew", "guest_stars")}
    average, count = show["vote"]
    cast = [{**_person(actor, "Acting"), "character": character,
             "credit_id": _credit_id(sid, "cast", actor), "order": order}
            for order, (actor, character) in enumerate(show["cast"])]
    crew = [{**_person(creator, "Production"), "department": "Production",
             "job": "Executive Producer", "credit_id": _credit_id(sid, "crew", creator)}
            for creator in show["created_by"]]
    return {
        "adult": False, "backdrop_path": backdrop,
        "created_by": [{"id": _person_id(c), "credit_id": _credit_id(sid, "creator", c),
                        "name": c, "original_name": c, "gender": 0,
                        "profile_path": _image("profile", c)} for c in show["created_by"]],
        "episode_run_time": [show["runtime"]], "first_air_date": show["first"],
        "genres": [{"id": g, "name": GENRES[g]} for g in show["genres"]],
        "homepage": "", "id": sid, "in_production": show.get("in_production", False),
        "languages": languages, "last_air_date": show["last"],
        "last_episode_to_air": last_episode, "name": name, "next_episode_to_air": None,
        "networks": [{"id": NETWORKS[n][0], "logo_path": _image("logo", "network", n),
                      "name": NETWORKS[n][1], "origin_country": NETWORKS[n][2]}
                     for n in show["networks"]],
        "number_of_episodes": sum(s["episode_count"] for s in main),
        "number_of_seasons": len(main), "origin_country": [country],
        "original_language": lang, "original_name": show.get("original_name", name),
        "overview": show["overview"], "popularity": show["popularity"], "poster_path": poster,
        "production_companies": [{"id": COMPANIES[c][0], "logo_path": None,
                                  "name": COMPANIES[c][1], "origin_country": COMPANIES[c][2]}
                                 for c in show["companies"]],
        "production_countries": [{"iso_3166_1": country, "name": COUNTRIES[country]}],
        "seasons": listed,
        "spoken_languages": [{"english_name": "English" if code == "en" else "Japanese",
                              "iso_639_1": code, "name": LANGUAGES[code]} for code in languages],
        "status": show["status"], "tagline": show["tagline"], "type": show["type"],
        "vote_average": average, "vote_count": count,
        # appended parts
        "credits": {"cast": cast, "crew": crew},
        "images": {
            "backdrops": [{"aspect_ratio": 1.778, "file_path": backdrop, "height": 1080,
                           "iso_639_1": None, "vote_average": 5.4, "vote_count": 8,
                           "width": 1920}],
            "logos": [],
            "posters": [{"aspect_ratio": 0.667, "file_path": p, "height": 3000,
                         "iso_639_1": lang, "vote_average": v, "vote_count": c,
                         "width": 2000}
                        for p, v, c in ((poster, 5.6, 12), (_image("poster2", sid), 5.2, 4))],
        },
        "external_ids": {"imdb_id": imdb, "freebase_mid": None, "freebase_id": None,
                         "tvdb_id": tvdb, "tvrage_id": tvrage, "wikidata_id": wikidata,
                         "facebook_id": None, "instagram_id": None, "twitter_id": None},
        "keywords": {"results": [{"id": 1000 + zlib.crc32(k.encode()) % 300_000, "name": k}
                                 for k in show["keywords"]]},
        "content_ratings": {"results": [{"descriptors": [], "iso_3166_1": "US",
                                         "rating": show["rating"]}]},
        "videos": {"results": []},
        "alternative_titles": {"results": [{"iso_3166_1": c, "title": t, "type": ""}
                                           for c, t in show["alt"]]},
    }


@functools.lru_cache(maxsize=1)
def _expanded() -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, dict[str, Any]]]]:
    return _expand()


def shows() -> dict[str, dict[str, Any]]:
    """``{str(show id): TV details document with its appended parts}``; a fresh copy."""
    return copy.deepcopy(_expanded()[0])


def seasons() -> dict[str, dict[str, dict[str, Any]]]:
    """``{str(show id): {str(season number): season document}}``; a fresh copy."""
    return copy.deepcopy(_expanded()[1])
