"""Movies for the TMDB look-alike's snapshot: one compact row per film, expanded by ``movies()``
into the documents TMDB's ``/movie/{id}`` returns, with the appendable parts inline.

Movie ids, titles, original titles, release dates, runtimes, IMDb ids and US certifications
follow TMDB/IMDb as closely as known. Popularity and votes are realistic, not live values, and
chosen so that a remake or a namesake sometimes outranks the film a file actually is. Company,
collection and well-known people's ids are TMDB's; other people get stable synthetic ids (from
80,000,000 up), and image paths and video keys are synthetic but stable.

A little over ~400 lines on purpose: it is data (one row per film the test corpus uses), with
the few functions that expand it into TMDB's documents.
"""

from __future__ import annotations

import hashlib
import zlib
from typing import Any

from shelver.plugins.tmdb.fake import snapshot_more as _more

GENRES = {
    "Action": 28, "Adventure": 12, "Animation": 16, "Comedy": 35, "Crime": 80,
    "Documentary": 99, "Drama": 18, "Family": 10751, "Fantasy": 14, "History": 36,
    "Horror": 27, "Music": 10402, "Mystery": 9648, "Romance": 10749, "Science Fiction": 878,
    "Thriller": 53, "War": 10752, "Western": 37,
}

COUNTRIES = {
    "US": "United States of America", "GB": "United Kingdom", "FR": "France", "DE": "Germany",
    "JP": "Japan", "KR": "South Korea", "ES": "Spain", "MX": "Mexico", "CN": "China",
    "TW": "Taiwan", "HK": "Hong Kong", "IT": "Italy", "AU": "Australia", "CA": "Canada",
    "NZ": "New Zealand", "SU": "Soviet Union", "IE": "Ireland",
}

LANGUAGES = {  # iso_639_1: (english_name, native name)
    "en": ("English", "English"), "fr": ("French", "Français"), "de": ("German", "Deutsch"),
    "ja": ("Japanese", "日本語"), "ko": ("Korean", "한국어/조선말"), "es": ("Spanish", "Español"),
    "zh": ("Mandarin", "普通话"), "it": ("Italian", "Italiano"), "ru": ("Russian", "Pусский"),
    "cn": ("Cantonese", "广州话 / 廣州話"),
}

COMPANIES = {  # key: (TMDB company id, name, origin country)
    "WB": (174, "Warner Bros. Pictures", "US"), "VR": (79, "Village Roadshow Pictures", "US"),
    "LEG": (923, "Legendary Pictures", "US"), "PAR": (4, "Paramount Pictures", "US"),
    "UNI": (33, "Universal Pictures", "US"), "FOX": (25, "20th Century Fox", "US"),
    "COL": (5, "Columbia Pictures", "US"), "DIS": (2, "Walt Disney Pictures", "US"),
    "PIX": (3, "Pixar", "US"), "DW": (7, "DreamWorks Pictures", "US"),
    "LUC": (1, "Lucasfilm Ltd.", "US"), "NL": (12, "New Line Cinema", "US"),
    "MIR": (14, "Miramax", "US"), "GHI": (10342, "Studio Ghibli", "JP"),
    "MGM": (21, "Metro-Goldwyn-Mayer", "US"), "UA": (60, "United Artists", "US"),
    "ORI": (41, "Orion Pictures", "US"), "TRI": (559, "TriStar Pictures", "US"),
    "A24": (41077, "A24", "US"), "LG": (1632, "Lionsgate", "US"),
    "FOC": (10146, "Focus Features", "US"), "SRL": (43, "Fox Searchlight Pictures", "US"),
    "SPC": (58, "Sony Pictures Classics", "US"), "AMB": (56, "Amblin Entertainment", "US"),
    "SYN": (9996, "Syncopy", "GB"), "MAR": (420, "Marvel Studios", "US"),
    "GAU": (9, "Gaumont", "FR"), "ZOE": (70, "American Zoetrope", "US"),
    "BLU": (3172, "Blumhouse Productions", "US"), "DIM": (7405, "Dimension Films", "US"),
    "CR": (97, "Castle Rock Entertainment", "US"), "WN": (11, "WingNut Films", "NZ"),
    "HEY": (7364, "Heyday Films", "GB"), "TOH": (882, "Toho", "JP"),
    "MOS": (5120, "Mosfilm", "SU"), "BAV": (1528, "Bavaria Film", "DE"),
    "CJ": (4399, "CJ Entertainment", "KR"), "BAR": (7036, "Barunson E&A", "KR"),
    "DDL": (10246, "Dino De Laurentiis Company", "US"), "CAR": (14723, "Carolco Pictures", "US"),
    "SCR": (1382, "Scott Free Productions", "GB"), "UFA": (10308, "UGC", "FR"),
    "SHAM": (2188, "Shamley Productions", "US"), "EDKO": (20664, "EDKO Film", "HK"),
    "TEQ": (10303, "Tequila Gang", "MX"), "ESP": (8209, "Estudios Picasso", "ES"),
    "WBF": (17, "Warner Bros. Entertainment", "US"), "ANN": (16551, "Annapurna Pictures", "US"),
    "SONY": (34, "Sony Pictures", "US"), "ELE": (31831, "Element Pictures", "IE"),
    "WIS": (76907, "Wiseau-Films", "US"), "PAT": (356, "Pathé", "FR"),
    "HAWK": (88, "Hawk Films", "GB"), "CINE": (6194, "Cinergi Pictures", "US"),
}

COLLECTIONS = {  # key: (TMDB collection id, name)
    "matrix": (2344, "The Matrix Collection"), "dune": (726871, "Dune Collection"),
    "halloween": (91361, "Halloween Collection"), "rocky": (1575, "Rocky Collection"),
    "starwars": (10, "Star Wars Collection"), "potter": (1241, "Harry Potter Collection"),
    "lotr": (119, "The Lord of the Rings Collection"), "oceans": (304, "Ocean's Collection"),
    "fast": (9485, "The Fast and the Furious Collection"), "alien": (8091, "Alien Collection"),
    "batman": (263, "The Dark Knight Collection"), "toystory": (10194, "Toy Story Collection"),
    "lionking": (94032, "The Lion King Collection"), "robocop": (5547, "RoboCop Collection"),
    "ghostbusters": (2980, "Ghostbusters Collection"), "madmax": (8945, "Mad Max Collection"),
    "spiderman": (556, "Spider-Man Collection"),
    "mcu_spider": (531241, "Spider-Man (Avengers) Collection"),
    "bttf": (264, "Back to the Future Collection"), "terminator": (528, "The Terminator Collection"),
    "jaws": (2366, "Jaws Collection"), "godfather": (230, "The Godfather Collection"),
    "avatar": (87096, "Avatar Collection"), "knivesout": (722971, "Knives Out Collection"),
    "it": (477962, "It Collection"), "300": (125570, "300 Collection"),
    "bladerunner": (422837, "Blade Runner Collection"), "gladiator": (1069584, "Gladiator Collection"),
    "psycho": (119674, "Psycho Collection"), "amazingspider": (125574, "The Amazing Spider-Man Collection"),
    "21jump": (263730, "21 Jump Street Collection"),
}

PEOPLE = {  # well-known TMDB person ids; everyone else gets a stable synthetic id
    "Keanu Reeves": 6384, "Laurence Fishburne": 2975, "Carrie-Anne Moss": 530,
    "Hugo Weaving": 1331, "Lana Wachowski": 9339, "Lilly Wachowski": 9340,
    "Kyle MacLachlan": 6677, "David Lynch": 5602, "Timothée Chalamet": 1190668,
    "Zendaya": 505710, "Rebecca Ferguson": 933238, "Denis Villeneuve": 137427,
    "Kurt Russell": 6856, "John Carpenter": 11770, "Jamie Lee Curtis": 8944,
    "Donald Pleasence": 9221, "Leonardo DiCaprio": 6193, "Christopher Nolan": 525,
    "Jonathan Nolan": 527, "Joseph Gordon-Levitt": 24045, "Elliot Page": 27578,
    "Tom Hardy": 2524, "Al Pacino": 1158, "Robert De Niro": 380, "Val Kilmer": 5576,
    "Michael Mann": 638, "Sigourney Weaver": 10205, "Ridley Scott": 578, "James Cameron": 2710,
    "Christian Bale": 3894, "Heath Ledger": 1810, "Aaron Eckhart": 6383,
    "Matthew McConaughey": 10297, "Anne Hathaway": 1813, "Jessica Chastain": 83002,
    "Bong Joon-ho": 21684, "Song Kang-ho": 20738, "Marlon Brando": 3084,
    "Francis Ford Coppola": 1776, "James Caan": 3085, "Quentin Tarantino": 138,
    "John Travolta": 8891, "Samuel L. Jackson": 2231, "Uma Thurman": 139, "Brad Pitt": 287,
    "Edward Norton": 819, "Helena Bonham Carter": 1283, "David Fincher": 7467,
    "Russell Crowe": 934, "Joaquin Phoenix": 73421, "Kate Winslet": 204, "Tom Hanks": 31,
    "Tim Allen": 12898, "John Lasseter": 7879, "Harrison Ford": 3, "Mark Hamill": 2,
    "Carrie Fisher": 4, "George Lucas": 1, "Steven Spielberg": 488,
    "Arnold Schwarzenegger": 1100, "Linda Hamilton": 2713, "Sylvester Stallone": 16483,
    "Talia Shire": 3094, "Matt Damon": 1892, "George Clooney": 1461, "Morgan Freeman": 192,
    "Tim Robbins": 504, "Frank Darabont": 4027, "Jack Nicholson": 514, "Stanley Kubrick": 240,
    "Ryan Gosling": 30614, "Margot Robbie": 234352, "Greta Gerwig": 45400,
    "Cillian Murphy": 2037, "Tom Holland": 1136406, "Tobey Maguire": 2219,
    "Kirsten Dunst": 205, "Willem Dafoe": 5293, "Sam Raimi": 7623, "Martin Scorsese": 1032,
    "Ray Liotta": 11477, "Joe Pesci": 4517, "Liam Neeson": 3896, "Ralph Fiennes": 5469,
    "Ben Kingsley": 2282, "Robert Zemeckis": 24, "Michael J. Fox": 521,
    "Christopher Lloyd": 1062, "Natalie Portman": 524, "Jean Reno": 1003, "Gary Oldman": 64,
    "Luc Besson": 59, "Elijah Wood": 109, "Ian McKellen": 1327, "Viggo Mortensen": 110,
    "Peter Jackson": 108, "Daniel Radcliffe": 10980, "Emma Watson": 10990,
    "Rupert Grint": 10989, "Chris Columbus": 10965, "Charlize Theron": 6885,
    "George Miller": 20629, "Jesse Eisenberg": 44735, "Andrew Garfield": 37625,
    "Amy Adams": 9273, "Sandra Bullock": 18277, "Alfonso Cuarón": 11218,
    "Humphrey Bogart": 4110, "Ingrid Bergman": 4111, "James Stewart": 854,
    "Alfred Hitchcock": 2636, "Anthony Perkins": 7301, "Vin Diesel": 12835, "Paul Walker": 8167,
    "Bill Murray": 1532, "Dan Aykroyd": 707, "Michelle Yeoh": 1620, "Ke Huy Quan": 690,
    "Daniel Craig": 8784, "Ana de Armas": 224513, "Rian Johnson": 67367,
    "Miles Teller": 996701, "J.K. Simmons": 18999, "Damien Chazelle": 136495,
    "Scarlett Johansson": 1245, "Spike Jonze": 5953, "Bradley Cooper": 51329,
    "Lady Gaga": 237405, "Sam Worthington": 65731, "Zoe Saldaña": 8691, "Roy Scheider": 6355,
    "Bill Skarsgård": 137905, "Jason Statham": 976, "Mark Wahlberg": 13240,
    "Michael Caine": 3895, "Orson Welles": 40, "Judy Garland": 9066, "James Mason": 2291,
    "Dwayne Johnson": 18918, "Channing Tatum": 38673, "Jonah Hill": 21007,
    "Kevin Spacey": 1979, "Jim Sturgess": 38941, "Amy Poehler": 56322,
    "Melissa McCarthy": 55536, "Kristen Wiig": 41091, "Kate McKinnon": 1240487,
}

# Alternative titles ("country:title"), kept where they matter for search.
# US release dates that differ from the film's own (foreign films, premieres the year before).
US_RELEASES = {
    1271: [("2006-12-09", 1, ""), ("2007-03-09", 3, "R")],
    194: [("2001-11-02", 3, "R")], 129: [("2002-09-20", 3, "PG")],
    1417: [("2006-12-29", 3, "R")], 496243: [("2019-10-11", 3, "R")],
    387: [("1982-02-10", 3, "R")], 146: [("2000-12-08", 3, "PG-13")],
    346: [("1956-11-19", 3, "")], 593: [("1976-10-06", 3, "PG")], 101: [("1994-11-18", 3, "R")],
    62: [("1968-04-02", 3, "G")], 289: [("1942-11-26", 1, ""), ("1943-01-23", 3, "PG")],
}
WIKIDATA = {
    603: "Q83495", 27205: "Q25188", 680: "Q104123", 550: "Q190050", 238: "Q47703",
    11: "Q17738", 597: "Q44578", 155: "Q163872", 19995: "Q24871", 278: "Q172241",
    13: "Q134773", 424: "Q483941", 289: "Q132689", 539: "Q163038", 348: "Q103569",
    78: "Q184843", 578: "Q189505", 105: "Q91540", 157329: "Q13417189", 62: "Q103474",
}
TAGLINES = {
    603: "Welcome to the Real World.", 438631: "Beyond fear, destiny awaits.",
    1091: "Man is the warmest place to hide.", 948: "The Night HE Came Home!",
    348: "In space no one can hear you scream.", 155: "Welcome to a world without rules.",
    27205: "Your mind is the scene of the crime.", 550: "Mischief. Mayhem. Soap.",
    157329: "Mankind was born on Earth. It was never meant to die here.",
    278: "Fear can hold you prisoner. Hope can set you free.", 807: "Seven deadly sins. Seven ways to die.",
    1271: "Tonight we dine in hell.", 872585: "The world forever changes.",
}

# id, title, original title (None: the same), original language, release date, runtime,
# popularity, vote average, vote count, IMDb id, US certification, genres, countries,
# companies, director, writer, cast ("Actor:Character|..."), collection, alternative titles,
# budget and revenue (million USD, 0 unknown), overview
MOVIES: list[tuple[Any, ...]] = [
    (603, "The Matrix", None, "en", "1999-03-31", 136, 78.4, 8.2, 25800, "tt0133093", "R", "Action,Science Fiction", "US,AU", "WB,VR", "Lana Wachowski", "Lilly Wachowski", "Keanu Reeves:Thomas A. Anderson / Neo|Laurence Fishburne:Morpheus|Carrie-Anne Moss:Trinity|Hugo Weaving:Agent Smith", "matrix", ("US:The Matrix 1",), 63, 463.5, "A hacker learns that the world he lives in is a simulation run by machines and joins the rebellion against them."),
    (604, "The Matrix Reloaded", None, "en", "2003-05-15", 138, 44.1, 7.1, 11200, "tt0234215", "R", "Action,Science Fiction", "US,AU", "WB,VR", "Lana Wachowski", "Lilly Wachowski", "Keanu Reeves:Neo|Laurence Fishburne:Morpheus|Carrie-Anne Moss:Trinity|Hugo Weaving:Agent Smith", "matrix", ("US:The Matrix 2", "US:Matrix Reloaded"), 150, 739.4, "Neo and the rebels race to defend Zion as an army of machines digs towards the last human city."),
    (605, "The Matrix Revolutions", None, "en", "2003-11-05", 129, 38.9, 6.7, 9900, "tt0242653", "R", "Action,Science Fiction", "US,AU", "WB,VR", "Lana Wachowski", "Lilly Wachowski", "Keanu Reeves:Neo|Laurence Fishburne:Morpheus|Carrie-Anne Moss:Trinity|Hugo Weaving:Agent Smith", "matrix", ("US:The Matrix 3", "US:Matrix Revolutions"), 150, 424.9, "The war between humans and machines comes to its end while Neo travels to the Machine City."),
    (841, "Dune", None, "en", "1984-12-14", 137, 33.2, 6.3, 3100, "tt0087182", "PG-13", "Action,Science Fiction,Adventure", "US,MX", "DDL,UNI", "David Lynch", "David Lynch", "Kyle MacLachlan:Paul Atreides|Francesca Annis:Lady Jessica|Sean Young:Chani|Kenneth McMillan:Baron Vladimir Harkonnen", None, (), 40, 30.9, "A young noble of House Atreides becomes the messiah of the desert planet Arrakis, the only source of the spice."),
    (438631, "Dune", None, "en", "2021-09-15", 155, 121.6, 7.8, 12400, "tt1160419", "PG-13", "Science Fiction,Adventure", "US,CA", "LEG", "Denis Villeneuve", "Jon Spaihts", "Timothée Chalamet:Paul Atreides|Rebecca Ferguson:Lady Jessica Atreides|Oscar Isaac:Duke Leto Atreides|Zendaya:Chani", "dune", ("US:Dune: Part One",), 165, 402.0, "Paul Atreides travels with his family to Arrakis, the most dangerous planet in the universe, to secure his people's future."),
    (693134, "Dune: Part Two", None, "en", "2024-02-27", 167, 210.3, 8.2, 6800, "tt15239678", "PG-13", "Science Fiction,Adventure", "US", "LEG", "Denis Villeneuve", "Jon Spaihts", "Timothée Chalamet:Paul Atreides|Zendaya:Chani|Rebecca Ferguson:Jessica|Javier Bardem:Stilgar", "dune", ("US:Dune 2",), 190, 714.4, "Paul Atreides unites with Chani and the Fremen on a path of revenge against those who destroyed his family."),
    (209403, "Jodorowsky's Dune", None, "en", "2013-08-08", 90, 9.7, 7.9, 600, "tt1935156", "PG-13", "Documentary", "US,FR", "SPC", "Frank Pavich", "Frank Pavich", "Alejandro Jodorowsky:Himself|Michel Seydoux:Himself|H.R. Giger:Himself", None, (), 0, 0.8, "The story of cult director Alejandro Jodorowsky's ambitious but unrealised adaptation of Dune."),
    (1091, "The Thing", None, "en", "1982-06-25", 109, 47.5, 8.1, 6900, "tt0084787", "R", "Horror,Mystery,Science Fiction", "US", "UNI", "John Carpenter", "Bill Lancaster", "Kurt Russell:R.J. MacReady|Wilford Brimley:Blair|Keith David:Childs|Richard Dawson:Palmer", None, (), 15, 19.6, "Scientists in the Antarctic are confronted by a shape-shifting alien that assumes the appearance of the people it kills."),
    (60935, "The Thing", None, "en", "2011-10-12", 103, 52.8, 6.3, 2900, "tt0905372", "R", "Horror,Mystery,Science Fiction", "US,CA", "UNI", "Matthijs van Heijningen Jr.", "Eric Heisserer", "Mary Elizabeth Winstead:Kate Lloyd|Joel Edgerton:Sam Carter|Ulrich Thomsen:Dr. Sander Halvorson", None, (), 38, 28.1, "At a remote Antarctic research site, a paleontologist joins a Norwegian team that has discovered an alien buried in the ice."),
    (10785, "The Thing from Another World", None, "en", "1951-04-07", 87, 11.2, 6.9, 450, "tt0044121", "NR", "Horror,Science Fiction", "US", "", "Christian Nyby", "Charles Lederer", "Margaret Sheridan:Nikki Nicholson|Kenneth Tobey:Capt. Patrick Hendry|Robert Cornthwaite:Dr. Arthur Carrington", None, ("US:The Thing",), 1.3, 1.9, "Scientists and airmen at an Arctic research outpost fight a bloodthirsty humanoid alien."),
    (948, "Halloween", None, "en", "1978-10-24", 91, 55.3, 7.5, 5600, "tt0077651", "R", "Horror,Thriller", "US", "", "John Carpenter", "Debra Hill", "Donald Pleasence:Dr. Sam Loomis|Jamie Lee Curtis:Laurie Strode|P.J. Soles:Lynda van der Klok|Nancy Kyes:Annie Brackett", "halloween", (), 0.3, 70.0, "Fifteen years after murdering his sister on Halloween night, Michael Myers escapes from a mental hospital and returns home."),
    (2082, "Halloween", None, "en", "2007-08-31", 109, 31.7, 6.2, 2300, "tt0373883", "R", "Horror", "US", "DIM", "Rob Zombie", "Rob Zombie", "Malcolm McDowell:Dr. Sam Loomis|Scout Taylor-Compton:Laurie Strode|Tyler Mane:Michael Myers|Sheri Moon Zombie:Deborah Myers", None, (), 15, 80.4, "After being committed for fifteen years, Michael Myers escapes and returns home to find his baby sister Laurie."),
    (424139, "Halloween", None, "en", "2018-10-18", 106, 68.9, 6.6, 4700, "tt1502407", "R", "Horror,Thriller", "US", "BLU,UNI", "David Gordon Green", "Jeff Fradley", "Jamie Lee Curtis:Laurie Strode|Judy Greer:Karen Nelson|Andi Matichak:Allyson|Nick Castle:The Shape", "halloween", (), 10, 255.6, "Laurie Strode comes to her final confrontation with Michael Myers forty years after she escaped his killing spree."),
    (10676, "Halloween II", None, "en", "1981-10-30", 92, 24.6, 6.5, 1700, "tt0082495", "R", "Horror", "US", "", "Rick Rosenthal", "John Carpenter", "Jamie Lee Curtis:Laurie Strode|Donald Pleasence:Dr. Sam Loomis|Charles Cyphers:Leigh Brackett", "halloween", (), 2.5, 25.5, "Michael Myers follows Laurie Strode to the hospital on the same night as the first film."),
    (530915, "1917", None, "en", "2019-12-25", 119, 54.1, 8.0, 12100, "tt8579674", "R", "War,History,Drama", "GB,US", "UNI,AMB", "Sam Mendes", "Krysty Wilson-Cairns", "George MacKay:Lance Corporal Schofield|Dean-Charles Chapman:Lance Corporal Blake|Mark Strong:Captain Smith", None, (), 95, 384.9, "Two young British soldiers must cross enemy territory to deliver a message that will stop a deadly attack."),
    (62, "2001: A Space Odyssey", None, "en", "1968-04-02", 149, 41.8, 8.1, 11300, "tt0062622", "G", "Science Fiction,Mystery,Adventure", "GB,US", "MGM,HAWK", "Stanley Kubrick", "Arthur C. Clarke", "Keir Dullea:Dr. Dave Bowman|Gary Lockwood:Dr. Frank Poole|William Sylvester:Dr. Heywood R. Floyd|Douglas Rain:HAL 9000 (voice)", None, ("US:2001 A Space Odyssey",), 12, 68.7, "Humanity finds a mysterious monolith on the Moon and sets off for Jupiter with the help of the computer HAL 9000."),
    (1271, "300", None, "en", "2007-03-07", 117, 59.2, 7.2, 14000, "tt0416449", "R", "Action,Adventure,War", "US", "WB,LEG,VR", "Zack Snyder", "Kurt Johnstad", "Gerard Butler:King Leonidas|Lena Headey:Queen Gorgo|David Wenham:Dilios|Dominic West:Theron", "300", (), 65, 456.1, "King Leonidas leads three hundred Spartans against the Persian army of Xerxes at Thermopylae."),
    (53182, "300: Rise of an Empire", None, "en", "2014-03-05", 102, 40.4, 6.1, 6500, "tt1253863", "R", "Action,War", "US", "WB,LEG", "Noam Murro", "Zack Snyder", "Sullivan Stapleton:Themistocles|Eva Green:Artemisia|Lena Headey:Queen Gorgo", "300", (), 110, 337.6, "The Greek general Themistocles leads the Athenian fleet against the invading Persian navy."),
    (8065, "21", None, "en", "2008-03-28", 123, 28.7, 6.8, 4500, "tt0478087", "PG-13", "Drama,Crime,Thriller", "US", "COL", "Robert Luketic", "Peter Steinfeld", "Jim Sturgess:Ben Campbell|Kevin Spacey:Micky Rosa|Kate Bosworth:Jill Taylor|Laurence Fishburne:Cole Williams", None, (), 35, 157.9, "MIT students trained in card counting take Las Vegas casinos for millions in winnings."),
    (64688, "21 Jump Street", None, "en", "2012-03-12", 109, 36.1, 6.9, 10700, "tt1232829", "R", "Action,Comedy,Crime", "US", "COL", "Phil Lord", "Michael Bacall", "Jonah Hill:Schmidt|Channing Tatum:Jenko|Brie Larson:Molly Tracey|Ice Cube:Captain Dickson", "21jump", (), 42, 201.6, "Two underachieving cops are sent back to high school undercover to bust a drug ring."),
    (14160, "Up", None, "en", "2009-05-28", 96, 93.4, 7.9, 20500, "tt1049413", "PG", "Animation,Comedy,Family,Adventure", "US", "PIX,DIS", "Pete Docter", "Bob Peterson", "Ed Asner:Carl Fredricksen (voice)|Jordan Nagai:Russell (voice)|Christopher Plummer:Charles Muntz (voice)", None, (), 175, 735.1, "A seventy-eight-year-old balloon seller ties thousands of balloons to his house and flies away to South America."),
    (22947, "Up in the Air", None, "en", "2009-12-04", 109, 17.3, 6.8, 3900, "tt1193138", "R", "Drama,Romance", "US", "PAR", "Jason Reitman", "Jason Reitman", "George Clooney:Ryan Bingham|Vera Farmiga:Alex Goran|Anna Kendrick:Natalie Keener", None, (), 25, 166.8, "A corporate downsizer who travels constantly reconsiders his life when his job is threatened."),
    (152601, "Her", None, "en", "2013-12-18", 126, 36.8, 7.9, 14300, "tt1798709", "R", "Romance,Science Fiction,Drama", "US", "ANN", "Spike Jonze", "Spike Jonze", "Joaquin Phoenix:Theodore Twombly|Scarlett Johansson:Samantha (voice)|Amy Adams:Amy|Rooney Mara:Catherine", None, (), 23, 48.3, "A lonely writer falls in love with an operating system designed to meet his every need."),
    (346364, "It", None, "en", "2017-09-06", 135, 82.5, 7.2, 19300, "tt1396484", "R", "Horror,Fantasy", "US", "NL", "Andy Muschietti", "Chase Palmer", "Jaeden Martell:Bill Denbrough|Bill Skarsgård:Pennywise|Finn Wolfhard:Richie Tozier|Sophia Lillis:Beverly Marsh", "it", ("US:It: Chapter One",), 35, 701.8, "In the town of Derry, seven bullied children band together to destroy a shape-shifting monster that preys on children."),
    (474350, "It Chapter Two", None, "en", "2019-09-04", 169, 61.2, 6.9, 9000, "tt7349950", "R", "Horror,Fantasy", "US", "NL", "Andy Muschietti", "Gary Dauberman", "James McAvoy:Bill Denbrough|Jessica Chastain:Beverly Marsh|Bill Hader:Richie Tozier|Bill Skarsgård:Pennywise", "it", ("US:It: Chapter Two",), 79, 473.1, "Twenty-seven years later the Losers Club return to Derry to face Pennywise once more."),
    (270303, "It Follows", None, "en", "2014-09-04", 100, 29.4, 6.6, 6600, "tt3235888", "R", "Horror,Mystery", "US", "", "David Robert Mitchell", "David Robert Mitchell", "Maika Monroe:Jay Height|Keir Gilchrist:Paul|Daniel Zovatto:Greg Hannigan", None, (), 2, 23.3, "After a sexual encounter, a young woman is followed by a supernatural entity that only she can see."),
]
MOVIES += [
    (194, "Amélie", "Le Fabuleux Destin d'Amélie Poulain", "fr", "2001-04-25", 122, 31.6, 7.9, 11000, "tt0211915", "R", "Comedy,Romance", "FR,DE", "UFA", "Jean-Pierre Jeunet", "Guillaume Laurant", "Audrey Tautou:Amélie Poulain|Mathieu Kassovitz:Nino Quincampoix|Rufus:Raphaël Poulain|Yolande Moreau:Madeleine Wallace", None, ("US:Amelie", "GB:Amelie from Montmartre", "FR:Amélie Poulain"), 10, 174.0, "A shy waitress in Montmartre decides to change the lives of the people around her for the better."),
    (10681, "WALL·E", None, "en", "2008-06-22", 98, 67.9, 8.1, 18600, "tt0910970", "G", "Animation,Family,Science Fiction", "US", "PIX,DIS", "Andrew Stanton", "Andrew Stanton", "Ben Burtt:WALL·E / M-O (voice)|Elissa Knight:EVE (voice)|Jeff Garlin:Captain (voice)|Fred Willard:Shelby Forthright", None, ("US:WALL-E", "US:Wall-E"), 180, 521.3, "A lonely waste-collecting robot left on Earth falls for a sleek probe sent to look for life."),
    (101, "Léon: The Professional", "Léon", "fr", "1994-09-14", 111, 44.3, 8.3, 14700, "tt0110413", "R", "Crime,Drama,Action", "FR,US", "GAU", "Luc Besson", "Luc Besson", "Jean Reno:Léon Montana|Natalie Portman:Mathilda|Gary Oldman:Norman Stansfield|Danny Aiello:Tony", None, ("US:The Professional", "US:Leon", "US:Leon: The Professional", "FR:Léon (version intégrale)"), 16, 45.3, "A professional hitman reluctantly takes in his twelve-year-old neighbour after her family is murdered."),
    (807, "Se7en", None, "en", "1995-09-22", 127, 57.4, 8.4, 20900, "tt0114369", "R", "Crime,Mystery,Thriller", "US", "NL", "David Fincher", "Andrew Kevin Walker", "Brad Pitt:Detective David Mills|Morgan Freeman:Detective Lt. William Somerset|Gwyneth Paltrow:Tracy Mills|Kevin Spacey:John Doe", None, ("US:Seven",), 33, 327.3, "Two detectives hunt a serial killer who uses the seven deadly sins as his motives."),
    (346, "Seven Samurai", "七人の侍", "ja", "1954-04-26", 207, 22.1, 8.5, 3700, "tt0047478", "NR", "Action,Drama", "JP", "TOH", "Akira Kurosawa", "Shinobu Hashimoto", "Toshirō Mifune:Kikuchiyo|Takashi Shimura:Kambei Shimada|Keiko Tsushima:Shino", None, ("JP:Shichinin no samurai", "US:The Magnificent Seven"), 0.5, 0.3, "A poor village under attack by bandits recruits seven unemployed samurai to defend it."),
    (120, "The Lord of the Rings: The Fellowship of the Ring", None, "en", "2001-12-18", 179, 98.7, 8.4, 26100, "tt0120737", "PG-13", "Adventure,Fantasy,Action", "NZ,US", "NL,WN", "Peter Jackson", "Fran Walsh", "Elijah Wood:Frodo Baggins|Ian McKellen:Gandalf the Grey|Viggo Mortensen:Aragorn|Sean Astin:Samwise Gamgee", "lotr", ("US:The Fellowship of the Ring", "US:LOTR: The Fellowship of the Ring"), 93, 871.4, "A young hobbit sets out with eight companions to destroy the One Ring in the fires of Mount Doom."),
    (123, "The Lord of the Rings", None, "en", "1978-11-15", 132, 14.5, 6.6, 900, "tt0077869", "PG", "Adventure,Animation,Fantasy", "US", "UA", "Ralph Bakshi", "Peter S. Beagle", "Christopher Guard:Frodo (voice)|William Squire:Gandalf (voice)|John Hurt:Aragorn (voice)", None, (), 8, 30.5, "The animated tale of the Fellowship's journey as far as the battle at Helm's Deep."),
    (161, "Ocean's Eleven", None, "en", "2001-12-07", 116, 48.6, 7.4, 12000, "tt0240772", "PG-13", "Thriller,Crime", "US", "WB,VR", "Steven Soderbergh", "Ted Griffin", "George Clooney:Danny Ocean|Brad Pitt:Rusty Ryan|Matt Damon:Linus Caldwell|Julia Roberts:Tess Ocean", "oceans", ("US:Ocean's 11",), 85, 450.7, "Danny Ocean gathers eleven accomplices to rob three Las Vegas casinos at once."),
    (299, "Ocean's Eleven", None, "en", "1960-08-10", 127, 10.4, 6.3, 480, "tt0054135", "NR", "Crime,Comedy", "US", "WB", "Lewis Milestone", "Harry Brown", "Frank Sinatra:Danny Ocean|Dean Martin:Sam Harmon|Sammy Davis Jr.:Josh Howard", None, ("US:Ocean's 11",), 2.3, 5.5, "Eleven World War II veterans plan to rob five Las Vegas casinos on New Year's Eve."),
    (9799, "The Fast and the Furious", None, "en", "2001-06-22", 106, 62.3, 7.0, 10400, "tt0232500", "PG-13", "Action,Crime,Thriller", "US,DE", "UNI", "Rob Cohen", "Gary Scott Thompson", "Paul Walker:Brian O'Conner|Vin Diesel:Dominic Toretto|Michelle Rodriguez:Letty Ortiz|Jordana Brewster:Mia Toretto", "fast", ("US:Fast and Furious 1", "US:The Fast and the Furious 1"), 38, 207.3, "An undercover cop infiltrates a crew of street racers suspected of hijacking lorries."),
    (13804, "Fast & Furious", None, "en", "2009-04-02", 107, 47.8, 6.7, 7300, "tt1013752", "PG-13", "Action,Crime,Thriller", "US", "UNI", "Justin Lin", "Chris Morgan", "Vin Diesel:Dominic Toretto|Paul Walker:Brian O'Conner|Michelle Rodriguez:Letty Ortiz|Jordana Brewster:Mia Toretto", "fast", ("US:Fast & Furious 4", "US:Fast and Furious 4", "US:The Fast and the Furious 4"), 85, 363.2, "Dom Toretto and Brian O'Conner reunite to take down a heroin importer in Los Angeles."),
    (1366, "Rocky", None, "en", "1976-11-21", 119, 41.2, 7.8, 7400, "tt0075148", "PG", "Drama", "US", "UA", "John G. Avildsen", "Sylvester Stallone", "Sylvester Stallone:Robert 'Rocky' Balboa|Talia Shire:Adrianna 'Adrian' Pennino|Burt Young:Paulie Pennino|Carl Weathers:Apollo Creed", "rocky", (), 1, 225.0, "A small-time Philadelphia boxer gets a once-in-a-lifetime shot at the world heavyweight title."),
    (1367, "Rocky II", None, "en", "1979-06-15", 119, 25.6, 7.0, 3900, "tt0079817", "PG", "Drama", "US", "UA", "Sylvester Stallone", "Sylvester Stallone", "Sylvester Stallone:Robert 'Rocky' Balboa|Talia Shire:Adrian Balboa|Burt Young:Paulie Pennino|Carl Weathers:Apollo Creed", "rocky", (), 7, 200.2, "Rocky struggles with life after his bout with Apollo Creed, who demands a rematch."),
    (1371, "Rocky III", None, "en", "1982-05-28", 99, 27.3, 6.9, 3700, "tt0084602", "PG", "Drama", "US", "UA", "Sylvester Stallone", "Sylvester Stallone", "Sylvester Stallone:Robert 'Rocky' Balboa|Talia Shire:Adrian Balboa|Mr. T:James 'Clubber' Lang|Carl Weathers:Apollo Creed", "rocky", (), 17, 270.0, "Rocky loses his title to Clubber Lang and turns to his old rival Apollo Creed for help."),
    (1374, "Rocky IV", None, "en", "1985-11-27", 91, 30.8, 6.9, 4100, "tt0089927", "PG", "Drama", "US", "UA,MGM", "Sylvester Stallone", "Sylvester Stallone", "Sylvester Stallone:Robert 'Rocky' Balboa|Dolph Lundgren:Captain Ivan Drago|Carl Weathers:Apollo Creed", "rocky", (), 28, 300.5, "Rocky travels to the Soviet Union to fight the boxer Ivan Drago."),
    (11, "Star Wars", None, "en", "1977-05-25", 121, 82.1, 8.2, 20300, "tt0076759", "PG", "Adventure,Action,Science Fiction", "US", "LUC,FOX", "George Lucas", "George Lucas", "Mark Hamill:Luke Skywalker|Harrison Ford:Han Solo|Carrie Fisher:Princess Leia Organa|Peter Cushing:Grand Moff Tarkin", "starwars", ("US:Star Wars: Episode IV - A New Hope", "US:A New Hope", "US:Star Wars IV"), 11, 775.4, "Luke Skywalker joins a Jedi Knight, a pilot and two droids to rescue Princess Leia from the Empire."),
    (1891, "The Empire Strikes Back", None, "en", "1980-05-20", 124, 48.5, 8.4, 17200, "tt0080684", "PG", "Adventure,Action,Science Fiction", "US", "LUC", "Irvin Kershner", "Leigh Brackett", "Mark Hamill:Luke Skywalker|Harrison Ford:Han Solo|Carrie Fisher:Princess Leia|Billy Dee Williams:Lando Calrissian", "starwars", ("US:Star Wars: Episode V - The Empire Strikes Back", "US:Star Wars V"), 18, 538.4, "The rebels scatter after the Empire attacks their base on Hoth while Luke trains with Yoda."),
    (671, "Harry Potter and the Philosopher's Stone", None, "en", "2001-11-16", 152, 140.2, 7.9, 27900, "tt0241527", "PG", "Adventure,Fantasy", "GB,US", "WB,HEY", "Chris Columbus", "Steve Kloves", "Daniel Radcliffe:Harry Potter|Rupert Grint:Ron Weasley|Emma Watson:Hermione Granger|Richard Harris:Albus Dumbledore", "potter", ("US:Harry Potter and the Sorcerer's Stone", "US:Harry Potter 1"), 125, 976.5, "On his eleventh birthday Harry Potter learns that he is a wizard and is invited to Hogwarts."),
    (146, "Crouching Tiger, Hidden Dragon", "卧虎藏龙", "zh", "2000-07-06", 120, 21.3, 7.4, 3300, "tt0190332", "PG-13", "Adventure,Drama,Action,Romance", "TW,HK,US,CN", "SPC,EDKO", "Ang Lee", "Wang Hui-ling", "Chow Yun-fat:Li Mu Bai|Michelle Yeoh:Yu Shu Lien|Zhang Ziyi:Jen Yu|Chang Chen:Lo", None, ("CN:Wo hu cang long", "TW:臥虎藏龍"), 17, 213.5, "Two warriors search for a stolen sword and the young aristocrat who took it in nineteenth-century China."),
    (129, "Spirited Away", "千と千尋の神隠し", "ja", "2001-07-20", 125, 89.5, 8.5, 16800, "tt0245429", "PG", "Animation,Family,Fantasy", "JP", "GHI", "Hayao Miyazaki", "Hayao Miyazaki", "Rumi Hiiragi:Chihiro Ogino (voice)|Miyu Irino:Haku (voice)|Mari Natsuki:Yubaba / Zeniba (voice)", None, ("JP:Sen to Chihiro no Kamikakushi", "JP:Sen to Chihiro no kamikakushi", "US:The Spiriting Away of Sen and Chihiro"), 19, 395.6, "A ten-year-old girl wanders into a world of spirits and must work in a bathhouse to free her parents."),
    (1417, "Pan's Labyrinth", "El laberinto del fauno", "es", "2006-10-11", 119, 27.9, 7.7, 11200, "tt0457430", "R", "Fantasy,Drama,War", "MX,ES", "TEQ,ESP", "Guillermo del Toro", "Guillermo del Toro", "Ivana Baquero:Ofelia|Sergi López:Capitán Vidal|Maribel Verdú:Mercedes|Doug Jones:Fauno / Pale Man", None, ("MX:Laberinto del fauno", "US:Pans Labyrinth"), 19, 83.3, "In Franco's Spain of 1944, a girl escapes into a mythical world to face three tasks set by a faun."),
    (387, "Das Boot", None, "de", "1981-09-16", 149, 20.6, 8.0, 2600, "tt0082096", "R", "Drama,History,War", "DE", "BAV", "Wolfgang Petersen", "Wolfgang Petersen", "Jürgen Prochnow:Der Kapitän|Herbert Grönemeyer:Leutnant Werner|Klaus Wennemann:Der Leitende", None, ("US:The Boat", "DE:Das Boot (Director's Cut)"), 15, 85.0, "The crew of a German U-boat endures claustrophobia, boredom and terror on a patrol in 1941."),
    (593, "Solaris", "Солярис", "ru", "1972-02-05", 167, 16.1, 7.9, 1900, "tt0069293", "PG", "Drama,Science Fiction,Mystery", "SU", "MOS", "Andrei Tarkovsky", "Andrei Tarkovsky", "Natalya Bondarchuk:Hari|Donatas Banionis:Kris Kelvin|Jüri Järvet:Dr. Snaut", None, ("SU:Solyaris",), 1, 0, "A psychologist is sent to a space station orbiting an ocean planet that materialises the crew's memories."),
    (2103, "Solaris", None, "en", "2002-11-27", 99, 14.2, 6.2, 1900, "tt0307479", "PG-13", "Drama,Science Fiction,Mystery,Romance", "US", "FOX", "Steven Soderbergh", "Steven Soderbergh", "George Clooney:Chris Kelvin|Natascha McElhone:Rheya|Jeremy Davies:Snow", None, (), 47, 30.0, "A psychologist travels to a space station orbiting Solaris, where his dead wife reappears."),
    (496243, "Parasite", "기생충", "ko", "2019-05-30", 133, 88.6, 8.5, 18400, "tt6751668", "R", "Comedy,Thriller,Drama", "KR", "BAR,CJ", "Bong Joon-ho", "Han Jin-won", "Song Kang-ho:Kim Ki-taek|Lee Sun-kyun:Park Dong-ik|Cho Yeo-jeong:Choi Yeon-kyo|Choi Woo-shik:Kim Ki-woo", None, ("KR:Gisaengchung", "KR:Gi-saeng-chung"), 11.4, 258.8, "A poor family schemes to become employed by a wealthy family by posing as unrelated, highly qualified workers."),
]
MOVIES += [
    (78, "Blade Runner", None, "en", "1982-06-25", 117, 51.7, 7.9, 13700, "tt0083658", "R", "Science Fiction,Drama,Thriller", "US,HK", "WB,SCR", "Ridley Scott", "Hampton Fancher", "Harrison Ford:Rick Deckard|Rutger Hauer:Roy Batty|Sean Young:Rachael|Edward James Olmos:Gaff", "bladerunner", ("US:Blade Runner: The Final Cut", "US:Blade Runner: The Director's Cut"), 28, 41.7, "A blade runner must pursue and terminate four replicants who have returned to Earth."),
    (335984, "Blade Runner 2049", None, "en", "2017-10-04", 164, 60.3, 7.5, 13400, "tt1856101", "R", "Science Fiction,Drama", "US,GB,CA", "WB,SCR", "Denis Villeneuve", "Hampton Fancher", "Ryan Gosling:K|Harrison Ford:Rick Deckard|Ana de Armas:Joi|Sylvia Hoeks:Luv", "bladerunner", (), 150, 259.2, "A young blade runner uncovers a secret that leads him to track down Rick Deckard."),
    (28, "Apocalypse Now", None, "en", "1979-08-15", 147, 34.6, 8.3, 8100, "tt0078788", "R", "Drama,War", "US", "ZOE", "Francis Ford Coppola", "John Milius", "Martin Sheen:Capt. Benjamin L. Willard|Marlon Brando:Col. Walter E. Kurtz|Robert Duvall:Lt. Col. Bill Kilgore|Laurence Fishburne:Tyrone 'Clean' Miller", None, ("US:Apocalypse Now Redux", "US:Apocalypse Now: Final Cut"), 31.5, 150.0, "A captain is sent up a river into Cambodia to assassinate a renegade colonel who has set himself up as a god."),
    (27205, "Inception", None, "en", "2010-07-15", 148, 96.1, 8.4, 36500, "tt1375666", "PG-13", "Action,Science Fiction,Adventure", "US,GB", "LEG,SYN,WB", "Christopher Nolan", "Christopher Nolan", "Leonardo DiCaprio:Dom Cobb|Joseph Gordon-Levitt:Arthur|Ken Watanabe:Saito|Tom Hardy:Eames|Elliot Page:Ariadne", None, (), 160, 839.0, "A thief who steals secrets from dreams is offered a chance to erase his past by planting an idea instead."),
    (949, "Heat", None, "en", "1995-12-15", 170, 42.9, 7.9, 7200, "tt0113277", "R", "Crime,Drama,Action", "US", "WB,CINE", "Michael Mann", "Michael Mann", "Al Pacino:Lt. Vincent Hanna|Robert De Niro:Neil McCauley|Val Kilmer:Chris Shiherlis|Jon Voight:Nate", None, (), 60, 187.4, "A veteran detective hunts a professional thief planning one last heist in Los Angeles."),
    (348, "Alien", None, "en", "1979-05-25", 117, 55.8, 8.2, 14600, "tt0078748", "R", "Horror,Science Fiction", "GB,US", "FOX", "Ridley Scott", "Dan O'Bannon", "Sigourney Weaver:Ellen Ripley|Tom Skerritt:Dallas|Veronica Cartwright:Lambert|John Hurt:Kane", "alien", (), 11, 104.9, "The crew of a commercial spacecraft answers a distress call and brings a deadly creature aboard."),
    (679, "Aliens", None, "en", "1986-07-18", 137, 45.3, 7.9, 9600, "tt0090605", "R", "Action,Thriller,Science Fiction", "US,GB", "FOX", "James Cameron", "James Cameron", "Sigourney Weaver:Ellen Ripley|Michael Biehn:Cpl. Dwayne Hicks|Carrie Henn:Rebecca 'Newt' Jorden|Bill Paxton:Pvt. Hudson", "alien", ("US:Alien 2",), 18.5, 183.3, "Ripley returns to the planet where her crew found the alien, this time with a unit of colonial marines."),
    (945961, "Alien: Romulus", None, "en", "2024-08-13", 119, 140.4, 7.1, 3100, "tt18412256", "R", "Horror,Science Fiction", "US,GB", "FOX,SCR", "Fede Álvarez", "Rodo Sayagues", "Cailee Spaeny:Rain Carradine|David Jonsson:Andy|Archie Renaux:Tyler", "alien", (), 80, 350.8, "Young space colonists scavenging a derelict station come face to face with the most terrifying life form in the universe."),
    (155, "The Dark Knight", None, "en", "2008-07-16", 152, 110.9, 8.5, 32800, "tt0468569", "PG-13", "Drama,Action,Crime,Thriller", "US,GB", "WB,SYN,LEG", "Christopher Nolan", "Jonathan Nolan", "Christian Bale:Bruce Wayne / Batman|Heath Ledger:Joker|Aaron Eckhart:Harvey Dent|Michael Caine:Alfred Pennyworth", "batman", (), 185, 1004.6, "Batman, Gordon and Harvey Dent set out to dismantle organised crime in Gotham until the Joker arrives."),
    (157329, "Interstellar", None, "en", "2014-11-05", 169, 150.8, 8.4, 35000, "tt0816692", "PG-13", "Adventure,Drama,Science Fiction", "US,GB", "PAR,LEG,SYN", "Christopher Nolan", "Jonathan Nolan", "Matthew McConaughey:Cooper|Anne Hathaway:Brand|Michael Caine:Professor Brand|Jessica Chastain:Murph", None, (), 165, 701.7, "A team of explorers travels through a wormhole in search of a new home for humanity."),
    (238, "The Godfather", None, "en", "1972-03-14", 175, 120.3, 8.7, 20500, "tt0068646", "R", "Drama,Crime", "US", "PAR", "Francis Ford Coppola", "Mario Puzo", "Marlon Brando:Don Vito Corleone|Al Pacino:Michael Corleone|James Caan:Sonny Corleone|Robert Duvall:Tom Hagen", "godfather", (), 6, 245.1, "The ageing patriarch of an organised crime dynasty transfers control to his reluctant youngest son."),
    (240, "The Godfather Part II", None, "en", "1974-12-20", 202, 70.2, 8.6, 12300, "tt0071562", "R", "Drama,Crime", "US", "PAR,ZOE", "Francis Ford Coppola", "Mario Puzo", "Al Pacino:Don Michael Corleone|Robert Duvall:Tom Hagen|Diane Keaton:Kay Corleone|Robert De Niro:Vito Corleone", "godfather", ("US:The Godfather: Part II", "US:The Godfather 2"), 13, 102.6, "The early life of Vito Corleone is told alongside his son Michael's expansion of the family empire."),
    (680, "Pulp Fiction", None, "en", "1994-09-10", 154, 74.6, 8.5, 27400, "tt0110912", "R", "Thriller,Crime", "US", "MIR", "Quentin Tarantino", "Quentin Tarantino", "John Travolta:Vincent Vega|Samuel L. Jackson:Jules Winnfield|Uma Thurman:Mia Wallace|Bruce Willis:Butch Coolidge", None, (), 8, 213.9, "The lives of two mob hitmen, a boxer, a gangster's wife and two diner bandits intertwine."),
    (550, "Fight Club", None, "en", "1999-10-15", 139, 73.4, 8.4, 29000, "tt0137523", "R", "Drama", "US,DE", "FOX", "David Fincher", "Jim Uhls", "Edward Norton:Narrator|Brad Pitt:Tyler Durden|Helena Bonham Carter:Marla Singer|Meat Loaf:Robert 'Bob' Paulson", None, (), 63, 100.9, "An insomniac office worker and a soap salesman start an underground fight club that becomes much more."),
    (98, "Gladiator", None, "en", "2000-05-01", 155, 80.7, 8.2, 18500, "tt0172495", "R", "Action,Drama,Adventure", "US,GB", "DW,UNI,SCR", "Ridley Scott", "David Franzoni", "Russell Crowe:Maximus|Joaquin Phoenix:Commodus|Connie Nielsen:Lucilla|Oliver Reed:Proximo", "gladiator", (), 103, 465.4, "A Roman general betrayed by the emperor's son rises through the arena to seek revenge."),
    (558449, "Gladiator II", None, "en", "2024-11-05", 148, 185.2, 6.8, 2800, "tt9218128", "R", "Action,Adventure,Drama", "US,GB", "PAR,SCR", "Ridley Scott", "David Scarpa", "Paul Mescal:Lucius|Pedro Pascal:General Acacius|Denzel Washington:Macrinus|Connie Nielsen:Lucilla", "gladiator", (), 250, 462.2, "Years after Maximus's death, his grandson Lucius is forced into the Colosseum."),
    (597, "Titanic", None, "en", "1997-11-18", 194, 102.6, 7.9, 25200, "tt0120338", "PG-13", "Drama,Romance", "US", "PAR,FOX", "James Cameron", "James Cameron", "Leonardo DiCaprio:Jack Dawson|Kate Winslet:Rose DeWitt Bukater|Billy Zane:Cal Hockley|Kathy Bates:Molly Brown", None, (), 200, 2264.2, "A young aristocrat falls in love with a poor artist aboard the ill-fated R.M.S. Titanic."),
    (19995, "Avatar", None, "en", "2009-12-15", 162, 116.4, 7.6, 31200, "tt0499549", "PG-13", "Action,Adventure,Fantasy,Science Fiction", "US,GB", "FOX", "James Cameron", "James Cameron", "Sam Worthington:Jake Sully|Zoe Saldaña:Neytiri|Sigourney Weaver:Dr. Grace Augustine|Stephen Lang:Col. Quaritch", "avatar", (), 237, 2923.7, "A paraplegic marine on the moon Pandora is torn between following orders and protecting its people."),
    (76600, "Avatar: The Way of Water", None, "en", "2022-12-14", 192, 133.1, 7.6, 11900, "tt1630029", "PG-13", "Science Fiction,Adventure,Action", "US", "FOX", "James Cameron", "James Cameron", "Sam Worthington:Jake Sully|Zoe Saldaña:Neytiri|Sigourney Weaver:Kiri|Stephen Lang:Colonel Miles Quaritch", "avatar", ("US:Avatar 2",), 460, 2320.3, "Jake Sully and Neytiri's family flee to the reefs of Pandora when an old threat returns."),
    (862, "Toy Story", None, "en", "1995-10-30", 81, 97.7, 8.0, 18400, "tt0114709", "G", "Animation,Adventure,Family,Comedy", "US", "PIX", "John Lasseter", "Joss Whedon", "Tom Hanks:Woody (voice)|Tim Allen:Buzz Lightyear (voice)|Don Rickles:Mr. Potato Head (voice)|Jim Varney:Slinky Dog (voice)", "toystory", (), 30, 394.4, "A cowboy doll is threatened when a new spaceman action figure becomes his owner's favourite toy."),
    (863, "Toy Story 2", None, "en", "1999-10-30", 92, 60.5, 7.6, 14100, "tt0120363", "G", "Animation,Comedy,Family", "US", "PIX", "John Lasseter", "Andrew Stanton", "Tom Hanks:Woody (voice)|Tim Allen:Buzz Lightyear (voice)|Joan Cusack:Jessie (voice)", "toystory", (), 90, 497.4, "Woody is stolen by a toy collector and Buzz and his friends set out to rescue him."),
    (8587, "The Lion King", None, "en", "1994-06-24", 89, 84.9, 8.3, 18100, "tt0110357", "G", "Family,Animation,Drama", "US", "DIS", "Roger Allers", "Irene Mecchi", "Matthew Broderick:Simba (voice)|James Earl Jones:Mufasa (voice)|Jeremy Irons:Scar (voice)|Moira Kelly:Nala (voice)", "lionking", (), 45, 763.5, "A young lion prince flees his kingdom after his father's murder and must return to claim his place."),
    (420818, "The Lion King", None, "en", "2019-07-12", 118, 91.3, 7.1, 10200, "tt6105098", "PG", "Adventure,Drama,Family,Animation", "US", "DIS", "Jon Favreau", "Jeff Nathanson", "Donald Glover:Simba (voice)|Beyoncé:Nala (voice)|James Earl Jones:Mufasa (voice)|Chiwetel Ejiofor:Scar (voice)", "lionking", (), 260, 1663.1, "Simba idolises his father, King Mufasa, and takes to heart his own royal destiny on the plains of Africa."),
    (10020, "Beauty and the Beast", None, "en", "1991-11-13", 84, 70.2, 7.7, 10500, "tt0101414", "G", "Romance,Family,Animation,Fantasy", "US", "DIS", "Gary Trousdale", "Linda Woolverton", "Paige O'Hara:Belle (voice)|Robby Benson:Beast (voice)|Richard White:Gaston (voice)|Jerry Orbach:Lumière (voice)", None, (), 25, 440.1, "A bookish young woman taken prisoner by a beast in his castle learns to look beyond his appearance."),
    (321612, "Beauty and the Beast", None, "en", "2017-03-16", 129, 74.5, 6.9, 15200, "tt2771200", "PG", "Family,Fantasy,Romance", "US", "DIS", "Bill Condon", "Stephen Chbosky", "Emma Watson:Belle|Dan Stevens:Beast|Luke Evans:Gaston|Kevin Kline:Maurice", None, (), 160, 1266.1, "A live-action retelling of the story of Belle and the cursed prince who became a beast."),
]
MOVIES += [
    (332562, "A Star Is Born", None, "en", "2018-10-03", 136, 36.2, 7.5, 11600, "tt1517451", "R", "Music,Drama,Romance", "US", "WB", "Bradley Cooper", "Eric Roth", "Lady Gaga:Ally Maine|Bradley Cooper:Jackson Maine|Sam Elliott:Bobby Maine|Andrew Dice Clay:Lorenzo", None, (), 36, 436.2, "A seasoned musician discovers and falls in love with a struggling singer whose career takes off as his declines."),
    (3111, "A Star Is Born", None, "en", "1954-09-29", 176, 9.8, 7.4, 340, "tt0047522", "PG", "Drama,Music,Romance", "US", "WB", "George Cukor", "Moss Hart", "Judy Garland:Esther Blodgett / Vicki Lester|James Mason:Norman Maine|Jack Carson:Matt Libby|Charles Bickford:Oliver Niles", None, (), 5, 6.1, "A fading film star helps a young singer to stardom while his own career collapses."),
    (861, "Total Recall", None, "en", "1990-06-01", 113, 33.5, 7.3, 6000, "tt0100802", "R", "Action,Adventure,Science Fiction", "US", "CAR,TRI", "Paul Verhoeven", "Ronald Shusett", "Arnold Schwarzenegger:Douglas Quaid / Hauser|Rachel Ticotin:Melina|Sharon Stone:Lori|Michael Ironside:Richter", None, (), 65, 261.3, "A construction worker haunted by dreams of Mars buys an implanted memory of a trip there and finds he was a spy."),
    (64635, "Total Recall", None, "en", "2012-08-02", 118, 29.8, 6.0, 6400, "tt1386703", "PG-13", "Action,Science Fiction,Adventure", "US,CA", "COL", "Len Wiseman", "Kurt Wimmer", "Colin Farrell:Douglas Quaid / Hauser|Kate Beckinsale:Lori Quaid|Jessica Biel:Melina|Bryan Cranston:Cohaagen", None, (), 125, 198.5, "A factory worker visits Rekall for implanted memories and finds himself hunted as a spy."),
    (5548, "RoboCop", None, "en", "1987-07-17", 102, 31.4, 7.3, 5000, "tt0093870", "R", "Action,Thriller,Science Fiction", "US", "ORI", "Paul Verhoeven", "Edward Neumeier", "Peter Weller:Alex J. Murphy / RoboCop|Nancy Allen:Anne Lewis|Dan O'Herlihy:The Old Man|Kurtwood Smith:Clarence Boddicker", "robocop", (), 13, 53.4, "A murdered Detroit police officer is rebuilt as a cyborg law enforcer by a corporation."),
    (97020, "RoboCop", None, "en", "2014-01-30", 117, 26.9, 5.9, 6100, "tt1234721", "PG-13", "Action,Science Fiction,Crime", "US", "COL,MGM", "José Padilha", "Joshua Zetumer", "Joel Kinnaman:Alex Murphy|Gary Oldman:Dr. Dennett Norton|Michael Keaton:Raymond Sellars|Abbie Cornish:Clara Murphy", "robocop", (), 100, 242.7, "In 2028 Detroit, a critically injured police officer is turned into a part-man, part-robot enforcer."),
    (10536, "The Italian Job", None, "en", "1969-06-02", 99, 12.6, 7.1, 900, "tt0064505", "G", "Action,Comedy,Crime", "GB", "PAR", "Peter Collinson", "Troy Kennedy Martin", "Michael Caine:Charlie Croker|Noël Coward:Mr. Bridger|Benny Hill:Professor Simon Peach", None, (), 3, 0, "A recently released crook plans to steal a gold shipment from the streets of Turin with three Minis."),
    (9654, "The Italian Job", None, "en", "2003-05-30", 111, 31.2, 6.8, 6500, "tt0317740", "PG-13", "Action,Crime", "US,FR", "PAR", "F. Gary Gray", "Donna Powers", "Mark Wahlberg:Charlie Croker|Charlize Theron:Stella Bridger|Edward Norton:Steve Frazelli|Jason Statham:Handsome Rob", None, (), 60, 176.1, "A heist crew plans to steal back the gold taken from them by a double-crossing former partner."),
    (620, "Ghostbusters", None, "en", "1984-06-08", 105, 44.8, 7.4, 8300, "tt0087332", "PG", "Comedy,Fantasy", "US", "COL", "Ivan Reitman", "Dan Aykroyd", "Bill Murray:Dr. Peter Venkman|Dan Aykroyd:Dr. Raymond Stantz|Sigourney Weaver:Dana Barrett|Harold Ramis:Dr. Egon Spengler", "ghostbusters", (), 30, 295.2, "Three parapsychologists set up a ghost removal service in New York as supernatural activity rises."),
    (43074, "Ghostbusters", None, "en", "2016-07-14", 117, 24.1, 5.4, 6400, "tt1289401", "PG-13", "Action,Fantasy,Comedy", "US", "COL", "Paul Feig", "Katie Dippold", "Melissa McCarthy:Abby Yates|Kristen Wiig:Erin Gilbert|Kate McKinnon:Jillian Holtzmann|Leslie Jones:Patty Tolan", None, ("US:Ghostbusters: Answer the Call",), 144, 229.1, "Paranormal enthusiasts band together to stop a ghostly invasion of Manhattan."),
    (76341, "Mad Max: Fury Road", None, "en", "2015-05-13", 121, 64.9, 7.6, 22400, "tt1392190", "R", "Action,Adventure,Science Fiction", "AU,US", "WB,VR", "George Miller", "Brendan McCarthy", "Tom Hardy:Max Rockatansky|Charlize Theron:Imperator Furiosa|Nicholas Hoult:Nux|Hugh Keays-Byrne:Immortan Joe", "madmax", (), 150, 378.9, "In a post-apocalyptic wasteland, Max joins Furiosa in fleeing the warlord Immortan Joe."),
    (475557, "Joker", None, "en", "2019-10-01", 122, 98.2, 8.1, 25700, "tt7286456", "R", "Crime,Thriller,Drama", "US,CA", "WB", "Todd Phillips", "Todd Phillips", "Joaquin Phoenix:Arthur Fleck|Robert De Niro:Murray Franklin|Zazie Beetz:Sophie Dumond|Frances Conroy:Penny Fleck", None, (), 55, 1074.5, "A failed comedian descends into madness in Gotham City and becomes a violent icon."),
    (872585, "Oppenheimer", None, "en", "2023-07-19", 181, 150.5, 8.1, 10200, "tt15398776", "R", "Drama,History", "US,GB", "UNI,SYN", "Christopher Nolan", "Christopher Nolan", "Cillian Murphy:J. Robert Oppenheimer|Emily Blunt:Kitty Oppenheimer|Matt Damon:Leslie Groves|Robert Downey Jr.:Lewis Strauss", None, (), 100, 952.0, "The story of J. Robert Oppenheimer's role in the development of the atomic bomb."),
    (346698, "Barbie", None, "en", "2023-07-19", 114, 110.3, 7.0, 9700, "tt1517268", "PG-13", "Comedy,Adventure,Fantasy", "US,GB", "WB", "Greta Gerwig", "Greta Gerwig", "Margot Robbie:Barbie|Ryan Gosling:Ken|America Ferrera:Gloria|Kate McKinnon:Weird Barbie", None, (), 145, 1445.6, "Barbie and Ken leave the colourful world of Barbie Land for the real world."),
    (545611, "Everything Everywhere All at Once", None, "en", "2022-03-24", 140, 58.7, 7.8, 6100, "tt6710474", "R", "Action,Adventure,Science Fiction", "US", "A24", "Daniel Kwan", "Daniel Scheinert", "Michelle Yeoh:Evelyn Quan Wang|Ke Huy Quan:Waymond Wang|Stephanie Hsu:Joy Wang / Jobu Tupaki|Jamie Lee Curtis:Deirdre Beaubeirdre", None, (), 14.3, 143.4, "A laundromat owner is swept into an adventure across the multiverse while doing her taxes."),
    (546554, "Knives Out", None, "en", "2019-11-27", 131, 47.3, 7.8, 13000, "tt8946378", "PG-13", "Comedy,Crime,Mystery", "US", "LG", "Rian Johnson", "Rian Johnson", "Daniel Craig:Benoit Blanc|Chris Evans:Ransom Drysdale|Ana de Armas:Marta Cabrera|Jamie Lee Curtis:Linda Drysdale", "knivesout", (), 40, 311.4, "A detective investigates the death of the patriarch of an eccentric, combative family."),
    (37799, "The Social Network", None, "en", "2010-10-01", 121, 33.6, 7.4, 12600, "tt1285016", "PG-13", "Drama", "US", "COL", "David Fincher", "Aaron Sorkin", "Jesse Eisenberg:Mark Zuckerberg|Andrew Garfield:Eduardo Saverin|Justin Timberlake:Sean Parker|Armie Hammer:Cameron / Tyler Winklevoss", None, (), 40, 224.9, "The founding of Facebook and the lawsuits that followed it."),
    (244786, "Whiplash", None, "en", "2014-10-10", 107, 41.5, 8.4, 15500, "tt2582802", "R", "Drama,Music", "US", "", "Damien Chazelle", "Damien Chazelle", "Miles Teller:Andrew Neiman|J.K. Simmons:Terence Fletcher|Melissa Benoist:Nicole|Paul Reiser:Jim Neiman", None, (), 3.3, 49.0, "A young drummer at a cut-throat music conservatory is pushed to the edge by his instructor."),
    (329865, "Arrival", None, "en", "2016-11-10", 116, 39.7, 7.6, 18000, "tt2543164", "PG-13", "Drama,Science Fiction,Mystery", "US", "PAR", "Denis Villeneuve", "Eric Heisserer", "Amy Adams:Louise Banks|Jeremy Renner:Ian Donnelly|Forest Whitaker:Colonel Weber|Michael Stuhlbarg:Agent Halpern", None, (), 47, 203.4, "A linguist is recruited to communicate with alien spacecraft that have landed around the world."),
    (49047, "Gravity", None, "en", "2013-10-03", 91, 38.2, 7.2, 15200, "tt1454468", "PG-13", "Science Fiction,Thriller,Drama", "GB,US", "WB,HEY", "Alfonso Cuarón", "Alfonso Cuarón", "Sandra Bullock:Dr. Ryan Stone|George Clooney:Matt Kowalski|Ed Harris:Mission Control (voice)", None, (), 100, 723.2, "Two astronauts are stranded in space after debris destroys their shuttle."),
    (77, "Memento", None, "en", "2000-10-11", 113, 37.1, 8.2, 14900, "tt0209144", "R", "Mystery,Thriller", "US", "", "Christopher Nolan", "Christopher Nolan", "Guy Pearce:Leonard Shelby|Carrie-Anne Moss:Natalie|Joe Pantoliano:Teddy Gammell", None, (), 9, 39.7, "A man with short-term memory loss uses notes and tattoos to hunt for his wife's killer."),
    (578, "Jaws", None, "en", "1975-06-20", 124, 45.4, 7.7, 10100, "tt0073195", "PG", "Horror,Thriller,Adventure", "US", "UNI", "Steven Spielberg", "Peter Benchley", "Roy Scheider:Martin Brody|Robert Shaw:Quint|Richard Dreyfuss:Matt Hooper|Lorraine Gary:Ellen Brody", "jaws", (), 7, 470.7, "A police chief, a marine biologist and a fisherman hunt a great white shark terrorising a beach town."),
    (601, "E.T. the Extra-Terrestrial", None, "en", "1982-06-11", 115, 39.5, 7.5, 11200, "tt0083866", "PG", "Science Fiction,Adventure,Family,Fantasy", "US", "UNI,AMB", "Steven Spielberg", "Melissa Mathison", "Henry Thomas:Elliott|Drew Barrymore:Gertie|Robert MacNaughton:Michael|Dee Wallace:Mary", None, ("US:E.T.", "US:ET the Extra Terrestrial"), 10.5, 792.9, "A troubled boy befriends a stranded alien and helps him return home."),
    (105, "Back to the Future", None, "en", "1985-07-03", 116, 68.3, 8.3, 19900, "tt0088763", "PG", "Adventure,Comedy,Science Fiction", "US", "UNI,AMB", "Robert Zemeckis", "Bob Gale", "Michael J. Fox:Marty McFly|Christopher Lloyd:Dr. Emmett Brown|Lea Thompson:Lorraine Baines|Crispin Glover:George McFly", "bttf", (), 19, 381.1, "A teenager is sent thirty years into the past in a time-travelling DeLorean built by his friend."),
    (280, "Terminator 2: Judgment Day", None, "en", "1991-07-03", 137, 58.6, 8.1, 12700, "tt0103064", "R", "Action,Thriller,Science Fiction", "US,FR", "CAR,TRI", "James Cameron", "James Cameron", "Arnold Schwarzenegger:The Terminator|Linda Hamilton:Sarah Connor|Edward Furlong:John Connor|Robert Patrick:T-1000", "terminator", ("US:T2", "US:Terminator 2", "US:T2: Judgment Day"), 102, 520.9, "A reprogrammed Terminator protects the young John Connor from a more advanced liquid-metal cyborg."),
]
MOVIES += [
    (289, "Casablanca", None, "en", "1942-11-26", 102, 24.8, 8.2, 5300, "tt0034583", "PG", "Drama,Romance", "US", "WB", "Michael Curtiz", "Julius J. Epstein", "Humphrey Bogart:Rick Blaine|Ingrid Bergman:Ilsa Lund|Paul Henreid:Victor Laszlo|Claude Rains:Captain Louis Renault", None, (), 0.9, 10.5, "A cynical nightclub owner in wartime Casablanca must decide whether to help his former lover escape."),
    (426, "Vertigo", None, "en", "1958-05-09", 128, 21.7, 8.0, 5500, "tt0052357", "PG", "Mystery,Romance,Thriller", "US", "PAR", "Alfred Hitchcock", "Alec Coppel", "James Stewart:John 'Scottie' Ferguson|Kim Novak:Madeleine Elster / Judy Barton|Barbara Bel Geddes:Marjorie 'Midge' Wood", None, (), 2.5, 7.3, "A retired detective with a fear of heights is hired to follow an old friend's wife."),
    (539, "Psycho", None, "en", "1960-06-22", 109, 36.9, 8.4, 9900, "tt0054215", "R", "Horror,Thriller,Mystery", "US", "SHAM,PAR", "Alfred Hitchcock", "Joseph Stefano", "Anthony Perkins:Norman Bates|Vera Miles:Lila Crane|John Gavin:Sam Loomis|Janet Leigh:Marion Crane", "psycho", (), 0.8, 32.0, "A secretary on the run with stolen money checks into a remote motel run by a troubled young man."),
    (11252, "Psycho", None, "en", "1998-12-04", 105, 13.9, 4.8, 1000, "tt0155975", "R", "Horror,Mystery,Thriller", "US", "UNI", "Gus Van Sant", "Joseph Stefano", "Vince Vaughn:Norman Bates|Anne Heche:Marion Crane|Julianne Moore:Lila Crane|Viggo Mortensen:Sam Loomis", None, (), 60, 37.1, "A shot-for-shot remake of Hitchcock's story of a thief who stops at the Bates Motel."),
    (694, "The Shining", None, "en", "1980-05-23", 144, 61.2, 8.2, 17300, "tt0081505", "R", "Horror,Thriller", "GB,US", "WB,HAWK", "Stanley Kubrick", "Stanley Kubrick", "Jack Nicholson:Jack Torrance|Shelley Duvall:Wendy Torrance|Danny Lloyd:Danny Torrance|Scatman Crothers:Dick Hallorann", None, (), 19, 44.4, "A writer takes a winter job as caretaker of an isolated hotel, where a sinister presence influences him."),
    (769, "GoodFellas", None, "en", "1990-09-12", 145, 47.6, 8.5, 12900, "tt0099685", "R", "Drama,Crime", "US", "WB", "Martin Scorsese", "Nicholas Pileggi", "Robert De Niro:James Conway|Ray Liotta:Henry Hill|Joe Pesci:Tommy DeVito|Lorraine Bracco:Karen Hill", None, ("US:Goodfellas",), 25, 46.8, "The story of Henry Hill's life in the mob, from his teenage years to becoming an informant."),
    (424, "Schindler's List", None, "en", "1993-12-15", 195, 62.4, 8.6, 16300, "tt0108052", "R", "Drama,History,War", "US", "UNI,AMB", "Steven Spielberg", "Steven Zaillian", "Liam Neeson:Oskar Schindler|Ben Kingsley:Itzhak Stern|Ralph Fiennes:Amon Göth|Caroline Goodall:Emilie Schindler", None, ("US:Schindlers List",), 22, 321.4, "A German industrialist saves more than a thousand Jewish refugees by employing them in his factories."),
    (13, "Forrest Gump", None, "en", "1994-06-23", 142, 88.9, 8.5, 27600, "tt0109830", "PG-13", "Comedy,Drama,Romance", "US", "PAR", "Robert Zemeckis", "Eric Roth", "Tom Hanks:Forrest Gump|Robin Wright:Jenny Curran|Gary Sinise:Lieutenant Dan Taylor|Sally Field:Mrs. Gump", None, (), 55, 677.4, "A slow-witted but kind man from Alabama witnesses and shapes decades of American history."),
    (278, "The Shawshank Redemption", None, "en", "1994-09-23", 142, 132.5, 8.7, 27300, "tt0111161", "R", "Drama,Crime", "US", "CR", "Frank Darabont", "Frank Darabont", "Tim Robbins:Andy Dufresne|Morgan Freeman:Ellis Boyd 'Red' Redding|Bob Gunton:Warden Samuel Norton|William Sadler:Heywood", None, (), 25, 28.3, "A banker imprisoned for murder finds hope and friendship in Shawshank State Penitentiary."),
    (557, "Spider-Man", None, "en", "2002-05-01", 121, 71.2, 7.3, 19000, "tt0145487", "PG-13", "Fantasy,Action", "US", "COL,MAR", "Sam Raimi", "David Koepp", "Tobey Maguire:Peter Parker / Spider-Man|Willem Dafoe:Norman Osborn / Green Goblin|Kirsten Dunst:Mary Jane Watson|James Franco:Harry Osborn", "spiderman", (), 139, 821.7, "Bitten by a genetically altered spider, a nerdy student gains powers and fights the Green Goblin."),
    (1930, "The Amazing Spider-Man", None, "en", "2012-06-23", 136, 58.1, 6.7, 18000, "tt0948470", "PG-13", "Action,Adventure,Fantasy", "US", "COL,MAR", "Marc Webb", "James Vanderbilt", "Andrew Garfield:Peter Parker / Spider-Man|Emma Stone:Gwen Stacy|Rhys Ifans:Dr. Curt Connors / The Lizard", "amazingspider", (), 215, 757.9, "Peter Parker investigates his parents' disappearance and confronts Dr. Curt Connors."),
    (634649, "Spider-Man: No Way Home", None, "en", "2021-12-15", 148, 176.4, 7.9, 19500, "tt10872600", "PG-13", "Action,Adventure,Science Fiction", "US", "MAR,COL", "Jon Watts", "Chris McKenna", "Tom Holland:Peter Parker / Spider-Man|Zendaya:MJ|Benedict Cumberbatch:Stephen Strange|Jacob Batalon:Ned Leeds", "mcu_spider", ("US:Spider-Man 3: No Way Home",), 200, 1921.8, "With Spider-Man's identity revealed, Peter asks Doctor Strange for help and opens the multiverse."),
    (17473, "The Room", None, "en", "2003-06-27", 99, 11.6, 3.8, 900, "tt0368226", "R", "Drama,Romance", "US", "WIS", "Tommy Wiseau", "Tommy Wiseau", "Tommy Wiseau:Johnny|Juliette Danielle:Lisa|Greg Sestero:Mark|Philip Haldiman:Denny", None, (), 6, 0, "A successful banker's life unravels as his fiancée begins an affair with his best friend."),
    (264644, "Room", None, "en", "2015-10-16", 118, 26.5, 8.1, 10500, "tt3170832", "R", "Drama,Thriller", "IE,CA,GB,US", "ELE", "Lenny Abrahamson", "Emma Donoghue", "Brie Larson:Joy 'Ma' Newsome|Jacob Tremblay:Jack Newsome|Joan Allen:Nancy Newsome|William H. Macy:Robert Newsome", None, (), 13, 36.3, "A young boy who has spent his whole life in a single room escapes with his mother into the outside world."),
]

MOVIES += _more.MOVIES  # the box sets' other films (snapshot_more)

_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _token(seed: str, length: int) -> str:
    number = int.from_bytes(hashlib.sha1(seed.encode()).digest(), "big")
    chars = []
    for _ in range(length):
        number, digit = divmod(number, 62)
        chars.append(_B62[digit])
    return "".join(chars)


def _image(seed: str) -> str:
    return f"/{_token(seed, 27)}.jpg"


def _person_id(name: str) -> int:
    return PEOPLE.get(name, 80_000_000 + zlib.crc32(name.encode()) % 10_000_000)


def _person(name: str) -> dict[str, Any]:
    person_id = _person_id(name)
    return {"adult": False, "gender": 0, "id": person_id, "name": name, "original_name": name,
            "popularity": round(1 + zlib.crc32(name.encode()) % 400 / 10, 1),
            "profile_path": _image(f"profile:{name}")}


def _credits(movie_id: int, cast: str, director: str, writer: str) -> dict[str, Any]:
    people = []
    for order, entry in enumerate(cast.split("|")):
        name, _, character = entry.partition(":")
        people.append({**_person(name), "known_for_department": "Acting", "cast_id": order + 1,
                       "character": character, "credit_id": _token(f"{movie_id}:{name}", 24),
                       "order": order})
    crew = [{**_person(name), "known_for_department": department, "department": department,
             "job": job, "credit_id": _token(f"{movie_id}:{job}:{name}", 24)}
            for name, job, department in ((director, "Director", "Directing"),
                                          (writer, "Screenplay", "Writing"))]
    return {"cast": people, "crew": crew}


def _release_dates(movie_id: int, date: str, cert: str, countries: list[str]) -> dict[str, Any]:
    def entry(day: str, kind: int, certification: str) -> dict[str, Any]:
        return {"certification": certification, "descriptors": [], "iso_639_1": "", "note": "",
                "release_date": f"{day}T00:00:00.000Z", "type": kind}

    us = [entry(d, k, c) for d, k, c in US_RELEASES.get(movie_id, [(date, 3, cert)])]
    results = [{"iso_3166_1": "US", "release_dates": us}]
    if countries[0] != "US":
        results.append({"iso_3166_1": countries[0], "release_dates": [entry(date, 3, "")]})
    return {"results": results}


def _movie(row: tuple[Any, ...]) -> dict[str, Any]:
    (movie_id, title, original, lang, date, runtime, popularity, vote, votes, imdb, cert,
     genres, countries, companies, director, writer, cast, collection, alternatives,
     budget, revenue, overview) = row
    country_codes = countries.split(",")
    poster, backdrop = _image(f"poster:{movie_id}"), _image(f"backdrop:{movie_id}")
    belongs = None
    if collection:
        collection_id, collection_name = COLLECTIONS[collection]
        belongs = {"id": collection_id, "name": collection_name,
                   "poster_path": _image(f"collection-poster:{collection_id}"),
                   "backdrop_path": _image(f"collection-backdrop:{collection_id}")}
    english, native = LANGUAGES[lang]
    return {
        "adult": False,
        "backdrop_path": backdrop,
        "belongs_to_collection": belongs,
        "budget": int(budget * 1_000_000),
        "genres": [{"id": GENRES[g], "name": g} for g in genres.split(",")],
        "homepage": "",
        "id": movie_id,
        "imdb_id": imdb,
        "origin_country": country_codes[:1],
        "original_language": lang,
        "original_title": original or title,
        "overview": overview,
        "popularity": popularity,
        "poster_path": poster,
        "production_companies": [
            {"id": COMPANIES[c][0], "logo_path": _image(f"logo:{COMPANIES[c][0]}"),
             "name": COMPANIES[c][1], "origin_country": COMPANIES[c][2]}
            for c in companies.split(",") if c],
        "production_countries": [{"iso_3166_1": c, "name": COUNTRIES[c]} for c in country_codes],
        "release_date": date,
        "revenue": int(revenue * 1_000_000),
        "runtime": runtime,
        "spoken_languages": [{"english_name": english, "iso_639_1": lang, "name": native}],
        "status": "Released",
        "tagline": TAGLINES.get(movie_id, ""),
        "title": title,
        "video": False,
        "vote_average": vote,
        "vote_count": votes,
        "credits": _credits(movie_id, cast, director, writer),
        "images": {
            "backdrops": [{"aspect_ratio": 1.778, "file_path": backdrop, "height": 1080,
                           "iso_639_1": None, "vote_average": 5.4, "vote_count": 4,
                           "width": 1920}],
            "logos": [],
            "posters": [{"aspect_ratio": 0.667, "file_path": poster, "height": 3000,
                         "iso_639_1": "en", "vote_average": 5.5, "vote_count": 6, "width": 2000},
                        {"aspect_ratio": 0.667, "file_path": _image(f"poster2:{movie_id}"),
                         "height": 1500, "iso_639_1": lang if lang != "en" else None,
                         "vote_average": 5.2, "vote_count": 2, "width": 1000}],
        },
        "release_dates": _release_dates(movie_id, date, cert, country_codes),
        "external_ids": {"imdb_id": imdb, "wikidata_id": WIKIDATA.get(movie_id),
                         "facebook_id": None, "instagram_id": None, "twitter_id": None},
        "keywords": {"keywords": []},
        "videos": {"results": [{
            "iso_639_1": "en", "iso_3166_1": "US", "name": f"{title} | Official Trailer",
            "key": _token(f"video:{movie_id}", 11), "site": "YouTube", "size": 1080,
            "type": "Trailer", "official": True,
            "published_at": f"{max(int(date[:4]), 2008)}-01-01T00:00:00.000Z",
            "id": _token(f"video-id:{movie_id}", 24)}]},
        "alternative_titles": {"titles": [
            {"iso_3166_1": a.partition(":")[0], "title": a.partition(":")[2], "type": ""}
            for a in alternatives]},
    }


def movies() -> dict[str, dict[str, Any]]:
    """The snapshot's ``"movies"`` table: TMDB movie documents keyed by str(id)."""
    return {str(row[0]): _movie(row) for row in MOVIES}
