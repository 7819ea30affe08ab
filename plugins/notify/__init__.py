"""The `notify` plugin: a run's summary to a webhook and to Apprise URLs (docs/media-servers.md)."""
