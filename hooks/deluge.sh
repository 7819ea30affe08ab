#!/bin/sh
# shelver hook for Deluge's Execute plugin (Preferences > Execute > Event "Torrent Complete",
# Command: the full path of this file).
#
# Deluge runs it with three arguments: torrent id, torrent name, save path. They are passed on
# untouched after "--", so a torrent named "-p" or "$(...)" is only ever a name.
#
# Edit the two lines below (or set SHELVER / SHELVER_PROFILE in the daemon's environment).
SHELVER="${SHELVER:-shelver}"
PROFILE="${SHELVER_PROFILE:-new-downloads}"

exec "$SHELVER" hook -p "$PROFILE" deluge -- "$@"
