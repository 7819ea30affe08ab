"""The ``shelver`` console script.

``shelver hook`` is called by downloaders for every finished download: it goes straight to the
fast path (:mod:`shelver.intake.fastpath`: sqlite3 and tomllib only), before click or any plugin is
imported; a plain ``shelver scan`` (quick) goes to :func:`shelver.scans.scan_main`, also before
click. Everything else is the click application in :mod:`shelver.cli`.
"""

from __future__ import annotations

import sys

GLOBAL_FLAGS = {"-v": 1, "-vv": 2, "-vvv": 3, "--verbose": 1, "-q": -1, "--quiet": -1}


def main() -> None:
    argv = sys.argv[1:]
    index, verbosity = 0, 0
    while index < len(argv) and argv[index] in GLOBAL_FLAGS:
        flag = GLOBAL_FLAGS[argv[index]]
        verbosity = -1 if flag < 0 else verbosity + flag
        index += 1
    if index < len(argv) and argv[index] == "hook":
        from shelver.intake.fastpath import hook_main

        sys.exit(hook_main(argv[index + 1:], verbosity=verbosity))
    if index < len(argv) and argv[index] == "scan":  # the quick scan: no click (docs/operations.md)
        from shelver.scans import scan_main

        status = scan_main(argv[index + 1:], verbosity=verbosity)
        if status is not None:
            sys.exit(status)
    from shelver.cli import cli

    cli(prog_name="shelver")


if __name__ == "__main__":  # pragma: no cover
    main()
