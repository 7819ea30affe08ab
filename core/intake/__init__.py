"""The downloader intake: what ``shelver hook CLIENT`` does when a download finishes.

:mod:`~shelver.intake.clients` reads what each downloader passes, :mod:`~shelver.intake.fastpath`
writes a durable job with sqlite3 and tomllib only (nothing here may import more: a downloader
waits for it), and :mod:`~shelver.intake.inline` processes the download on the spot when no
daemon of the profile runs.
"""
