"""The website (`make site`) and the slides (`make slides`) in a real browser, offline.

Both are built once a session from the notebooks as they are now (lessons are found by glob) into
``_build/site`` and ``_build/slides``, the folders `make site` and `make slides` write: a build whose inputs
did not change is reused, and one where only some lessons (or docstrings) changed rebuilds only those
pages and decks. A headless Chromium that can reach nothing but this machine (tests/browser.py) then opens
every page and every deck and checks that nothing asked for the network, that no script logged an error,
that every figure of a lesson is on its page and loaded, and that lesson 06's head view draws (an SVG).
Screenshots go to ``_build/screenshots/``.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from browser import drain, screenshot, serve, start_chrome

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
LESSONS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
FIGURES = ("image/svg+xml", "image/png", "image/jpeg")
# what MyST-NB shows of an output with several formats (its default priority for HTML)
SHOWN_FIRST = ("application/vnd.jupyter.widget-view+json", "application/javascript", "text/html", *FIGURES)

# a slide's own figure (not one inside a widget's saved output, which stays with the widget's code)
FIGURE = "(s => [...s.querySelectorAll('.jp-OutputArea img')].some(i => !i.closest('.widget-static')))"

pytestmark = pytest.mark.skipif(not LESSONS, reason="no lessons")


def _run(script: str) -> str:
    """Run a build script of docs/ as `make` would; its output, or a failure that shows it."""
    done = subprocess.run([sys.executable, str(ROOT / "docs" / script)], check=False, cwd=ROOT, capture_output=True, text=True,
                          timeout=900)
    if done.returncode:
        pytest.fail(f"docs/{script} failed (exit {done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""


@pytest.fixture(scope="module")
def built():
    """Build the site and the slides, or bring them up to date (only what changed); what the builds said."""
    pytest.importorskip("sphinx", reason="pip install -e '.[docs]'")
    pytest.importorskip("myst_nb", reason="pip install -e '.[docs]'")
    return {"site": _run("site.py"), "slides": _run("slides.py")}


@pytest.fixture(scope="module")
def base(built):
    with serve(BUILD) as url:
        yield url


@pytest.fixture(scope="module")
def browser(built):
    chrome = start_chrome()
    chrome.set_page_load_timeout(300)
    yield chrome
    chrome.quit()


def open_page(browser, url: str, settle: float = 0.3) -> None:
    drain(browser)  # what earlier pages left
    browser.get(url)
    deadline = time.monotonic() + 120  # a hang guard: pages load in well under a second
    while browser.execute_script("return document.readyState") != "complete" and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(settle)  # scripts that run after the load event (MathJax, bertviz's require.js modules)


def assert_offline_and_quiet(browser, page: str) -> None:
    outside, errors = drain(browser)
    assert not outside, f"{page} asked for the network: {outside[:5]}"
    assert not errors, f"{page} logged JavaScript errors: {errors[:5]}"


def broken_images(browser) -> list[str]:
    return browser.execute_script(
        "return [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 120))")


def expected_figures(notebook: Path) -> int:
    """How many figures the lesson's page shows: outputs whose shown format is an image."""
    count = 0
    for cell in nbformat.read(notebook, as_version=4).cells:
        for output in cell.get("outputs", []):
            shown = next((m for m in SHOWN_FIRST if m in output.get("data", {})), None)
            count += shown in FIGURES
    return count


def wait_for(browser, script: str, seconds: float = 120) -> object:
    deadline = time.monotonic() + seconds
    while True:
        value = browser.execute_script(script)
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_page(browser, base, lesson):
    page = f"site/notebooks/{Path(lesson).stem}.html"
    if not (BUILD / page).exists():
        pytest.skip(f"{lesson} appeared after the build")  # a lesson added while the tests run
    open_page(browser, f"{base}/{page}")
    if lesson.startswith("06_"):
        svgs = wait_for(browser, "return document.querySelectorAll('div.cell_output svg').length")
        assert svgs, "lesson 06's head view drew no SVG"
        browser.execute_script(
            "document.querySelector('div.cell_output svg').closest('div.cell').scrollIntoView()")
        time.sleep(0.5)
        screenshot(browser, "site_06_head_view.png")
    assert_offline_and_quiet(browser, page)
    assert not broken_images(browser), f"{page}: images that did not load: {broken_images(browser)}"
    shown = browser.execute_script("return document.querySelectorAll('div.cell_output img').length")
    wanted = expected_figures(BUILD / "site-src" / "notebooks" / lesson)  # as built (lessons change)
    assert shown >= wanted, f"{page} shows {shown} of the notebook's {wanted} figures"
    # the course in order: previous and next links, and the notebook itself (Colab, download)
    links = browser.execute_script("""return {
        next: (document.querySelector('a.right-next') || {}).href || null,
        prev: (document.querySelector('a.left-prev') || {}).href || null,
        colab: [...document.querySelectorAll('a')].map(a => a.href).filter(h => h.includes('colab.research.google.com')),
        ipynb: [...document.querySelectorAll('a')].map(a => a.href).filter(h => h.endsWith('.ipynb'))}""")
    built_lessons = [name for name in LESSONS if (BUILD / "site" / "notebooks" / f"{Path(name).stem}.html").exists()]
    i = built_lessons.index(lesson)
    assert links["prev"], f"{page} has no link to the previous page"
    if i + 1 < len(built_lessons):
        assert links["next"] and links["next"].endswith(f"{Path(built_lessons[i + 1]).stem}.html"), links
    if i > 0:
        assert links["prev"].endswith(f"{Path(built_lessons[i - 1]).stem}.html"), links
    assert any(h.endswith(f"notebooks/{lesson}") for h in links["colab"]), f"{page}: no Colab link: {links}"
    assert any(h.endswith(lesson) for h in links["ipynb"]), f"{page}: no link to download the notebook"
    if lesson.startswith("01_"):
        assert browser.execute_script("return document.querySelectorAll('div.widget-static').length"), \
            "lesson 01's tokenizer widget is not shown as saved"
        screenshot(browser, "site_01_widget.png") if browser.execute_script(
            "const w = document.querySelector('div.widget-static'); w.scrollIntoView(); return true") else None


def test_front_page_search_and_api(browser, base):
    open_page(browser, f"{base}/site/index.html")
    assert_offline_and_quiet(browser, "index.html")
    text = browser.find_element("tag name", "body").text
    assert "The lessons" in text and "The course brief, statement by statement" in text
    hrefs = browser.execute_script("return [...document.querySelectorAll('article a')].map(a => a.getAttribute('href'))")
    assert any(h and h.startswith("notebooks/00_") for h in hrefs), "the course map does not link the lessons"
    screenshot(browser, "site_index.png")

    open_page(browser, f"{base}/site/search.html?q=attention")
    found = wait_for(browser, "return document.querySelectorAll('#search-results li').length")
    assert_offline_and_quiet(browser, "search.html")
    assert found, "searching the site for 'attention' found nothing"

    open_page(browser, f"{base}/site/api/library.html")
    assert_offline_and_quiet(browser, "api/library.html")
    text = browser.find_element("tag name", "body").text
    assert "BertModel" in text and "BertTokenizer" in text, "the API reference lacks the package's classes"


def test_every_other_page(browser, base):
    """Every page the build wrote that the tests above did not open: offline, no errors, images load."""
    skip = {"site/index.html", "site/search.html", "site/api/library.html",
            *(f"site/notebooks/{Path(n).stem}.html" for n in LESSONS)}
    pages = sorted(p.relative_to(BUILD).as_posix() for p in (BUILD / "site").rglob("*.html")
                   if "_static" not in p.parts and "_sources" not in p.parts)
    pages = [p for p in pages if p not in skip]
    assert pages, "the site has no pages besides the lessons"
    for page in pages:
        open_page(browser, f"{base}/{page}", settle=0.1)
        assert_offline_and_quiet(browser, page)
        assert not broken_images(browser), f"{page}: {broken_images(browser)}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_slide_deck(browser, base, lesson):
    deck = f"slides/{Path(lesson).stem}.slides.html"
    if not (BUILD / deck).exists():
        pytest.skip(f"{lesson} appeared after the build")
    open_page(browser, f"{base}/{deck}")
    assert wait_for(browser, "return !!document.querySelector('.reveal.ready')"), f"{deck}: reveal.js did not start"
    # nbconvert loads reveal.js with require.js: its module is not a global
    browser.execute_script("require(['reveal.js/dist/reveal.js'], R => { window.Reveal = R; })")
    assert wait_for(browser, "return !!window.Reveal", 60), f"{deck}: reveal.js's module is not loaded"
    assert_offline_and_quiet(browser, deck)
    assert not broken_images(browser), f"{deck}: {broken_images(browser)}"
    slides = browser.execute_script("return Reveal.getTotalSlides()")
    assert slides >= 3, f"{deck} has {slides} slides"
    # the key plot on its own slide: a slide with a figure shows no code
    crowded = browser.execute_script("""return [...document.querySelectorAll('.slides section')]
        .filter(s => !s.querySelector('section') && FIGURE(s))
        .filter(s => s.querySelector('.jp-InputArea, .jp-MarkdownCell')).length""".replace("FIGURE", FIGURE))
    assert not crowded, f"{deck}: {crowded} figures share their slide with code or prose"
    figure_slides = browser.execute_script("""return [...document.querySelectorAll('.slides section')]
        .filter(s => !s.querySelector('section') && FIGURE(s)).length""".replace("FIGURE", FIGURE))
    if lesson.startswith("03_") or (lesson.startswith("06_") and figure_slides):
        # a screenshot of the title slide and of the first figure
        browser.execute_script("Reveal.slide(0, 0)")
        time.sleep(0.5)
        screenshot(browser, f"slides_{lesson[:2]}_title.png")
        browser.execute_script("""const s = [...document.querySelectorAll('.slides section')]
            .find(s => !s.querySelector('section') && FIGURE(s));
            if (s) { const i = Reveal.getIndices(s); Reveal.slide(i.h, i.v); }""".replace("FIGURE", FIGURE))
        time.sleep(0.8)
        screenshot(browser, f"slides_{lesson[:2]}_figure.png")


def test_slides_index(browser, base):
    open_page(browser, f"{base}/slides/index.html")
    assert_offline_and_quiet(browser, "slides/index.html")
    decks = browser.execute_script("return [...document.querySelectorAll('a')].map(a => a.getAttribute('href'))")
    assert [d for d in decks if d.endswith(".slides.html")], "the slides index lists no deck"
