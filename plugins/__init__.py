"""Built-in plugins: each is an ordinary pluggy plugin, listed here.

``DEFAULT_PLUGINS`` names each built-in (its registered name, the one a profile's
``plugins.disable`` and its own settings section use) and the module holding its hooks, in
registration order. The core reads this list (``shelver.manager.builtin_plugins``) and names no
plugin itself (docs/architecture.md, "Core knows no media").
"""

DEFAULT_PLUGINS: tuple[tuple[str, str], ...] = (
    ("parse", "shelver.plugins.parse"),
    ("mediainfo", "shelver.plugins.mediainfo"),
    ("tmdb", "shelver.plugins.tmdb.plugin"),
    ("naming", "shelver.plugins.naming"),
    ("modes", "shelver.plugins.modes"),
    ("cache_modes", "shelver.plugins.cache_modes"),
    ("placement_commands", "shelver.plugins.placement_commands"),
    ("nfo", "shelver.plugins.nfo"),
    ("mp4tags", "shelver.plugins.mp4_tagger"),
    ("artwork", "shelver.plugins.artwork"),
    ("phash", "shelver.plugins.phash"),
)
