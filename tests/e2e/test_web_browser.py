"""A real headless Chromium walks the web UI (docs/web.md): Review shows the candidates with
their posters, one is accepted, the file is organised and an Overview open in another tab
updates live without a reload; then a run is opened and undone after its preview. A file named
like an HTML tag stays text. Screenshots of each page go to the test's tmp dir
(``screens/``).

Debian's ``chromium`` is installed here when missing (root and apt-get needed; without it the
test is skipped with the reason), driven by Playwright's Python package (never its own browser
download). Marked ``slow``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import apt
from tests.conftest import BIN, json_lines, shelver, stop_daemon

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
HOSTILE = "<img src=x onerror=alert(1)>.mkv"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def install_chromium() -> str | None:
    """Install Debian's chromium when missing; the reason it is unavailable, or None."""
    return apt.install(["chromium"], [CHROMIUM])


@pytest.fixture
def browser() -> Iterator[Any]:
    reason = install_chromium()
    if reason:
        pytest.skip(reason)
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def ui(tmp_path: Path, make_profile: Callable[..., Path], video: Callable[..., Path]
       ) -> Iterator[tuple[str, Path]]:
    """Files a real run left for review, and ``shelver web`` serving them on loopback."""
    profile = make_profile()
    downloads = tmp_path / "downloads"
    video(downloads / "The.Office.S02E01.720p.WEB-DL.mkv", 1320)
    video(downloads / HOSTILE, 60)
    run = shelver("run", "-p", str(profile), "--json")
    assert run.returncode == 0, run.stderr
    assert {r["status"] for r in json_lines(run.stdout)} == {"review"}
    server = subprocess.Popen([str(BIN / "shelver"), "web", "-p", str(profile), "--port", "0"],
                              stderr=subprocess.PIPE, text=True)
    try:
        line = server.stderr.readline() if server.stderr else ""
        assert "shelver: web UI on http://127.0.0.1:" in line, line
        yield line.split(" on ")[1].split()[0], profile
    finally:
        stop_daemon(server)


def test_review_accept_live_overview_and_undo_in_chromium(
        browser: Any, ui: tuple[str, Path], tmp_path: Path) -> None:
    url, _profile = ui
    screens = tmp_path / "screens"
    screens.mkdir()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    context.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    context.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))

    overview = context.new_page()
    overview.goto(url)
    overview.evaluate("window.notReloaded = true")
    overview.wait_for_selector("#live.on", timeout=5000)  # the event stream is open
    assert overview.inner_text("td[data-state=REVIEW]") == "2"
    overview.screenshot(path=str(screens / "overview-before.png"), full_page=True)

    review = context.new_page()
    review.goto(url + "review")
    office = review.locator("section.review-item", has_text="The.Office.S02E01")
    first_card = office.locator("article.card").first
    poster = first_card.locator("img.poster")
    poster.wait_for()
    review.wait_for_function("img => img.complete && img.naturalWidth > 0",
                             arg=poster.element_handle(), timeout=5000)
    assert "The Office" in first_card.inner_text() and "(2005)" in first_card.inner_text()
    # The hostile name is text on the page, never an element.
    assert HOSTILE in review.inner_text("main")
    assert review.locator("img[src=x]").count() == 0
    review.screenshot(path=str(screens / "review.png"), full_page=True)

    first_card.locator("button.accept").click()
    review.wait_for_selector("#accepted", timeout=15000)
    assert review.inner_text("#accepted") == "Accepted: organised."
    destination = Path(review.inner_text("#destination"))
    assert destination.is_file() and "The Office (2005)" in str(destination)
    assert not (tmp_path / "downloads" / "The.Office.S02E01.720p.WEB-DL.mkv").exists()
    review.screenshot(path=str(screens / "item-accepted.png"), full_page=True)

    # The Overview tab saw it happen, without a reload.
    overview.wait_for_function(
        "() => document.querySelector('td[data-state=REVIEW]').textContent.trim() === '1'"
        " && document.querySelector('td[data-state=INDEXED]') !== null", timeout=10000)
    assert overview.evaluate("window.notReloaded") is True
    overview.screenshot(path=str(screens / "overview-after.png"), full_page=True)

    # Activity → the review run → Undo (preview, then confirm).
    review.goto(url + "activity")
    review.screenshot(path=str(screens / "activity.png"), full_page=True)
    review.locator("#runs tr", has_text="review").locator("a").first.click()
    review.wait_for_selector("#files")
    review.wait_for_selector("#live.on", timeout=5000)  # still live after htmx swapped the page
    assert str(destination) in review.inner_text("#files")
    review.screenshot(path=str(screens / "run.png"), full_page=True)
    review.click("#undo")
    review.wait_for_selector("#confirm-undo")
    assert f"{destination} -> " in review.inner_text("#moves")
    review.screenshot(path=str(screens / "undo-preview.png"), full_page=True)
    review.click("#confirm-undo")
    review.wait_for_selector("text=1 file(s) moved back")
    review.screenshot(path=str(screens / "undone.png"), full_page=True)
    assert (tmp_path / "downloads" / "The.Office.S02E01.720p.WEB-DL.mkv").is_file()
    assert not destination.exists()
    assert problems == [], problems  # no script error, no CSP violation, no alert
    context.close()
    docs = os.environ.get("SHELVER_SCREENSHOT_TO")  # docs/web-review.png is refreshed with this
    if docs:
        shutil.copy(screens / "review.png", docs)
