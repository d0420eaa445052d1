"""The HTML report in a real browser: headless Chromium loads ``report.html`` from a
``file://`` URL, every ``<img>`` decodes (``naturalWidth > 0``), the console stays free of
errors, and a screenshot is saved.

Needs Debian's ``chromium`` and ``chromium-driver`` (``/usr/bin/chromium``,
``/usr/bin/chromedriver``) and the ``selenium`` package (dev extra).  In CI
(``CI=true``) a missing browser fails the test with the packages to install; elsewhere it
skips with that reason.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import symopt
from symopt import optim

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
LEAD_COPY = Path("/tmp/explain_report.png")


def _missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.is_file():
            return f"{path} is missing (apt-get install chromium chromium-driver)"
    return None


@pytest.fixture
def browser(tmp_path):
    reason = _missing()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the browser test needs a browser in CI: {reason}")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'profile'}")
    options.add_argument("--window-size=1280,2400")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def test_report_opens_with_every_image_loaded(browser, tmp_path):
    e = symopt.explain("x**4 - 3*x**2 + y**2 + x*y + x", optim.gd(lr=0.1), x0=[2.0, 2.0])
    page = e.write(tmp_path / "report")
    browser.get(page.resolve().as_uri())
    widths = browser.execute_script(
        "return Array.from(document.images).map(i => i.complete ? i.naturalWidth : 0);"
    )
    assert len(widths) == len(e.figures) >= 3
    assert all(w > 0 for w in widths), widths
    assert "Minimum 1" in browser.find_element("tag name", "body").text
    severe = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert severe == []
    shot = tmp_path / "report.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    shutil.copyfile(shot, LEAD_COPY)


@pytest.mark.examples
def test_tour_index_opens_with_every_image_loaded(browser, examples, tmp_path):
    from symopt.tour.runner import Stop, write_index

    ran = examples["16"]  # the shared run of examples/16_explain.py: no second run
    stop = Stop(ran.folder.name, "explain", ran.notes, ran.pictures)
    index = write_index([stop], ran.folder.parent)
    browser.get(index.resolve().as_uri())
    widths = browser.execute_script(
        "return Array.from(document.images).map(i => i.complete ? i.naturalWidth : 0);"
    )
    assert len(widths) == len(ran.pictures) == 3
    assert all(w > 0 for w in widths), widths
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    assert browser.save_screenshot(str(tmp_path / "index.png"))
