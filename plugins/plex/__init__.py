"""The `plex` plugin: tells Plex Media Server which library folders changed (docs/media-servers.md)."""
