"""The `mp4tags` plugin: iTunes-style MP4 tags, written on a copy, undoable."""
