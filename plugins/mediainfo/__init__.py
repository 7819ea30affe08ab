"""The `mediainfo` plugin: stream details through pymediainfo."""
