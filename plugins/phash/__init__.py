"""The `phash` plugin: the Stash-compatible perceptual hash; moved and duplicate files."""
