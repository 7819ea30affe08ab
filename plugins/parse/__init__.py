"""The `parse` plugin: what file and folder names say (docs/plugins.md, "Built-in plugins")."""
