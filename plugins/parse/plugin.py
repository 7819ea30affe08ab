"""Release-name parsing (guessit, plus ids written in names or existing NFOs)."""

from __future__ import annotations

import os
from pathlib import Path

from shelver.api import Item, ParsedName, RunContext, hookimpl


def source_root(path: Path, ctx: RunContext) -> Path | None:
    """The profile source that holds ``path``: folder names above it say nothing."""
    absolute = os.path.abspath(path)
    for source in ctx.profile.sources:
        if absolute.startswith(os.path.abspath(source) + os.sep):
            return Path(source)
    if ctx.profile.dest_dir and absolute.startswith(os.path.abspath(ctx.profile.dest_dir) + os.sep):
        return ctx.profile.dest_dir
    return None


@hookimpl(trylast=True)
def shelver_parse_name(item: Item, ctx: RunContext) -> ParsedName:
    # Its 45 regular expressions (and guessit) are compiled on the first name parsed, not
    # whenever the plugins are registered: `shelver status` or `--help` parse nothing.
    from shelver.plugins.parse.name import parse_release

    return parse_release(item.path, root=item.root or source_root(item.path, ctx))
