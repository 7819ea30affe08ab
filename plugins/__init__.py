"""Built-in plugins: each is an ordinary pluggy plugin listed in shelver.plugins_manager.DEFAULT_PLUGINS."""
