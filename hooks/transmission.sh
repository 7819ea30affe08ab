#!/bin/sh
# shelver hook for Transmission ("script-torrent-done-filename" in settings.json, or
# Preferences > Transferring > "Call script when download completes").
#
# Transmission runs this file without arguments and describes the torrent in TR_TORRENT_DIR,
# TR_TORRENT_NAME, TR_TORRENT_HASH and TR_TORRENT_LABELS; shelver reads them itself. Nothing
# here looks at the torrent's name: it is passed on untouched, never evaluated.
#
# Edit the two lines below (or set SHELVER / SHELVER_PROFILE in the daemon's environment).
SHELVER="${SHELVER:-shelver}"
PROFILE="${SHELVER_PROFILE:-new-downloads}"

exec "$SHELVER" hook -p "$PROFILE" transmission
