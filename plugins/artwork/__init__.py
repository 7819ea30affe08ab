"""The `artwork` plugin: posters, fanart and thumbs where Kodi and Jellyfin look for them."""
