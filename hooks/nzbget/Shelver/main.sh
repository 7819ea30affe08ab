#!/bin/sh
#
##############################################################################
### NZBGET POST-PROCESSING SCRIPT                                          ###

# Organise finished downloads with shelver.
#
# Runs `shelver hook nzbget` for every successful download: the files are
# identified with TMDB, renamed and moved into the library of the chosen
# shelver profile. Failed downloads are left alone.
#
# NOTE: NZBGet v23+ reads manifest.json beside this file; older versions read
# this header. Exit codes: 93 done, 94 failed, 95 nothing to do.

##############################################################################
### OPTIONS                                                                ###

# shelver profile: a name (~/.config/shelver/profiles/NAME.toml) or a path.
#Profile=new-downloads

# The shelver command (a full path if it is not on NZBGet's PATH).
#ShelverCommand=shelver

### NZBGET POST-PROCESSING SCRIPT                                          ###
##############################################################################

# NZBGet passes the options as NZBPO_PROFILE / NZBPO_SHELVERCOMMAND and the download as
# NZBPP_* variables; shelver reads the NZBPP_* variables itself (nothing here evaluates them).
SHELVER="${NZBPO_SHELVERCOMMAND:-${SHELVER:-shelver}}"
PROFILE="${NZBPO_PROFILE:-${SHELVER_PROFILE:-new-downloads}}"

if ! command -v "$SHELVER" >/dev/null 2>&1; then
    echo "[ERROR] shelver command not found: set ShelverCommand in the extension's settings"
    exit 94
fi
exec "$SHELVER" hook -p "$PROFILE" nzbget
