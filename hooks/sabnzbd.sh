#!/bin/sh
# shelver post-processing script for SABnzbd. Put it in SABnzbd's script folder
# (Config > Folders > Scripts Folder), make it executable, then choose it as the script of the
# categories shelver should organise (Config > Categories).
#
# SABnzbd passes the job's folder, names, category and status as arguments and as SAB_*
# variables; shelver reads both, ignores failed jobs, and prints one last line, which SABnzbd
# shows in its History. Exit status: 0 done (or nothing to do), 1 failed.
#
# Edit the two lines below (or set SHELVER / SHELVER_PROFILE in SABnzbd's environment).
SHELVER="${SHELVER:-shelver}"
PROFILE="${SHELVER_PROFILE:-new-downloads}"

exec "$SHELVER" hook -p "$PROFILE" sabnzbd -- "$@"
