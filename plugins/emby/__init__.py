"""The `emby` plugin: tells Emby which library folders changed (docs/media-servers.md)."""
