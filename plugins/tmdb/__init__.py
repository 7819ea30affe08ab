"""TMDB: client, rate limit, cache and matcher."""
