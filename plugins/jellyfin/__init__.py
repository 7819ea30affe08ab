"""The `jellyfin` plugin: tells Jellyfin which library folders changed (docs/media-servers.md)."""
