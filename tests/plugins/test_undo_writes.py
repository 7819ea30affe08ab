"""Undo of files a run wrote (NFOs, artwork): judged by what the run left, not by a write the
run itself superseded."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from shelver.plugins.placement.undo import UndoRefused, undo_run
from shelver.store import StateDB


def written_twice(state: StateDB, folder: Path) -> Path:
    """tvshow.nfo written by two workers of run 1, one after the other (each journals its own
    write with the file as it left it)."""
    nfo = folder / "tvshow.nfo"
    folder.mkdir(parents=True)
    nfo.write_text("<tvshow>first</tvshow>", encoding="utf-8")
    os.utime(nfo, (1_000_000, 1_000_000))
    state.journal_write(1, None, str(nfo))
    nfo.write_text("<tvshow>second, longer</tvshow>", encoding="utf-8")
    os.utime(nfo, (2_000_000, 2_000_000))
    state.journal_write(1, None, str(nfo))
    return nfo


def test_a_file_two_workers_wrote_is_judged_by_the_newest_write(tmp_path: Path,
                                                                 state: StateDB) -> None:
    nfo = written_twice(state, tmp_path / "library" / "Show (2020)")
    report = undo_run(state, 1, None)
    assert not nfo.exists() and report.removed == [str(nfo)]


def test_a_file_a_person_changed_after_the_run_still_stops_the_undo(tmp_path: Path,
                                                                      state: StateDB) -> None:
    nfo = written_twice(state, tmp_path / "library" / "Show (2020)")
    nfo.write_text("<tvshow>my own notes</tvshow>", encoding="utf-8")
    with pytest.raises(UndoRefused, match="tvshow.nfo: changed since the run"):
        undo_run(state, 1, None)
    assert nfo.read_text(encoding="utf-8") == "<tvshow>my own notes</tvshow>"
