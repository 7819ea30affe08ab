"""The `nfo` plugin: Kodi .nfo files beside each placed file."""
