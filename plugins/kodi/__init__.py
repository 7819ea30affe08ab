"""The `kodi` plugin: tells Kodi to scan the library folders that changed (docs/media-servers.md)."""
