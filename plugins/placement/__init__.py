"""The `placement` plugin: the processing modes, conflicts, duplicates, failed_dir, leftovers,
the record `shelver undo` reads and the `undo`/`assess` commands."""
