"""The `naming` plugin: the library layout (Plex/Jellyfin/Kodi) and user templates."""
