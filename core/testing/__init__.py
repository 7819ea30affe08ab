"""Test and demo support: a loopback TMDB look-alike and generated media files."""
