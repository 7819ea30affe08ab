"""Built-in plugins: each is an ordinary pluggy plugin, listed here.

``DEFAULT_PLUGINS`` names each built-in (its registered name, the one a profile's
``plugins.disable`` and its own settings section use) and the module holding its hooks (the package's ``plugin.py``), in
registration order. The core reads this list (``shelver.manager.builtin_plugins``) and names no
plugin itself (docs/architecture.md, "Core knows no media").
"""

DEFAULT_PLUGINS: tuple[tuple[str, str], ...] = (
    ("parse", "shelver.plugins.parse.plugin"),
    ("mediainfo", "shelver.plugins.mediainfo.plugin"),
    ("tmdb", "shelver.plugins.tmdb.plugin"),
    ("naming", "shelver.plugins.naming.plugin"),
    ("placement", "shelver.plugins.placement.plugin"),
    ("nfo", "shelver.plugins.nfo.plugin"),
    ("mp4tags", "shelver.plugins.mp4tags.plugin"),
    ("artwork", "shelver.plugins.artwork.plugin"),
    ("phash", "shelver.plugins.phash.plugin"),
    ("plex", "shelver.plugins.plex.plugin"),
    ("jellyfin", "shelver.plugins.jellyfin.plugin"),
    ("emby", "shelver.plugins.emby.plugin"),
    ("kodi", "shelver.plugins.kodi.plugin"),
    ("notify", "shelver.plugins.notify.plugin"),
    ("web", "shelver.plugins.web.plugin"),
)
