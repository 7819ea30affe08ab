"""Built-in plugins: each is an ordinary pluggy plugin listed in shelver.manager.DEFAULT_PLUGINS."""
