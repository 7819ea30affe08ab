"""Test and demo support: tiny real media files and the demo downloads (the TMDB look-alike is
the tmdb plugin's, shelver.plugins.tmdb.fake)."""
