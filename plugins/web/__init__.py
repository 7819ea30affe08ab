"""The ``web`` plugin: ``shelver web`` and ``shelver watch --web`` (docs/web.md)."""
