#!/bin/sh
# shelver hook for Radarr and Sonarr (Settings > Connect > + > Custom Script; Path: this file;
# triggers: On Import and On Upgrade). The same file serves both.
#
# Radarr and Sonarr describe the event in lower-case radarr_* / sonarr_* variables, including
# the TMDB/TVDB/IMDb ids they already know: shelver uses those ids instead of searching. The
# "Test" button gets an immediate 0.
#
# Edit the two lines below (or set SHELVER / SHELVER_PROFILE in Radarr's/Sonarr's environment).
SHELVER="${SHELVER:-shelver}"
PROFILE="${SHELVER_PROFILE:-new-downloads}"

if [ -n "${radarr_eventtype:-}" ]; then
    exec "$SHELVER" hook -p "$PROFILE" radarr
elif [ -n "${sonarr_eventtype:-}" ]; then
    exec "$SHELVER" hook -p "$PROFILE" sonarr
fi
echo "shelver: neither radarr_eventtype nor sonarr_eventtype is set: not called by Radarr or Sonarr" >&2
exit 2
