"""Headless Chromium for the browser tests (tests/test_site.py, tests/test_lab_widgets.py).

The browser runs with every host name except localhost unresolvable, so nothing can leave the machine, and
with its requests and console logged, so a test sees what a page tried to fetch and which errors it raised.
Chromium and chromedriver come from the system (`make browser`); when they are missing the tests fail and
say what to install.
"""
from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "_build" / "screenshots"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
LOCAL_SCHEMES = {"data", "blob", "about", "file", "chrome", "devtools"}
INSTALL = ("the browser tests need Chromium and chromedriver: `make browser` installs them as root with apt-get; "
           "else install them yourself (Debian: apt-get install chromium chromium-driver; Ubuntu: "
           "apt-get install chromium-browser chromium-chromedriver), or point $CHROMIUM and $CHROMEDRIVER at them")


def _find(variable: str, *names: str) -> str | None:
    if os.environ.get(variable):
        return os.environ[variable]
    return next((shutil.which(n) for n in names if shutil.which(n)), None)


def require_browser() -> tuple[str, str]:
    """The paths of Chromium and chromedriver, or a failure that says what to install."""
    pytest.importorskip("selenium", reason="pip install -e '.[docs]' (selenium)")
    chromium = _find("CHROMIUM", "chromium", "chromium-browser", "google-chrome")
    driver = _find("CHROMEDRIVER", "chromedriver")
    if not (chromium and driver):
        pytest.fail(f"{INSTALL} (found chromium: {chromium}, chromedriver: {driver})", pytrace=False)
    return chromium, driver


def start_chrome(width: int = 1280, height: int = 900):
    """A headless Chromium that reaches only this machine and logs its requests and console."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver = require_browser()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={width},{height}", "--hide-scrollbars", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-default-apps", "--disable-extensions", "--mute-audio",
                     # the page may ask for anything; only this machine answers
                     "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(service=Service(driver), options=options)


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or (parts.hostname or "") in LOCAL_HOSTS


def drain(browser) -> tuple[list[str], list[str]]:
    """(URLs requested off this machine, console errors) since the last call."""
    outside = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            url = message["params"]["request"]["url"]
            if not is_local(url):
                outside.append(url)
        elif message["method"] == "Network.webSocketCreated" and not is_local(message["params"]["url"]):
            outside.append(message["params"]["url"])
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    return outside, errors


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # no line per request in the test output
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on a free localhost port (as a web server would serve the built site)."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def screenshot(browser, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    browser.save_screenshot(str(path))
    return path
