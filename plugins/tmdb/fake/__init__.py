"""The TMDB look-alike: a loopback HTTP server and its recorded snapshot, for the tests and
`shelver demo` (shipped in the wheel)."""
