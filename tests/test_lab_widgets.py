"""The lessons' widgets work in JupyterLab: a real browser types into them and sees the output change.

JupyterLab is started on a copy of the lessons (in ``_build/lab/notebooks``, beside a link to ``data/``,
so the committed notebooks are never saved over), headless Chromium opens a lesson, runs the cells
the widget needs (the set-up cell and, going back from the widget's cell, every cell that defines a name
used later: not the whole lesson), then changes the widget's input and waits for its output to follow.
Screenshots go to ``_build/screenshots/``.
"""
from __future__ import annotations

import ast
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from browser import drain, screenshot, start_chrome

ROOT = Path(__file__).resolve().parents[1]
LAB = ROOT / "_build" / "lab"


def _names(source: str) -> tuple[set[str], set[str]]:
    """(names a cell defines, names it reads), IPython's % and ! lines left out."""
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    defined, used = set(), set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Name):
            (defined if isinstance(node.ctx, ast.Store) else used).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            defined |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return defined, used


def cells_needed(nb: nbformat.NotebookNode, target: int) -> list[int]:
    """The code cells to run before cell ``target`` so that it runs: the set-up cell and a backward slice."""
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and i < target]
    needed = _names(nb.cells[target].source)[1]
    chosen = {code[0]} if code else set()
    for i in reversed(code):
        defined, used = _names(nb.cells[i].source)
        if defined & needed:
            chosen.add(i)
            needed |= used
    return sorted(chosen)


def widget_cell(nb: nbformat.NotebookNode, needle: str) -> int:
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and needle in cell.source and "ipywidgets" in cell.source:
            return i
    pytest.skip(f"no widget cell with {needle!r} in this lesson (was it rewritten?)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab():
    """A JupyterLab server on a copy of notebooks/; (base URL, token)."""
    pytest.importorskip("jupyterlab")
    if LAB.exists():
        shutil.rmtree(LAB)
    shutil.copytree(ROOT / "notebooks", LAB / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (LAB / "data").symlink_to(ROOT / "data", target_is_directory=True)  # the lessons read ../data
    settings = LAB / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # every cell in the page (JupyterLab 4 draws only the visible ones by default)
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    apputils = LAB / "settings" / "@jupyterlab" / "apputils-extension"
    apputils.mkdir(parents=True)
    (apputils / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false",
                                                                          "checkForUpdates": False}))
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(LAB / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(LAB / "workspaces"), JUPYTER_RUNTIME_DIR=str(LAB / "runtime"))
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={LAB / 'notebooks'}",
               "--LabApp.news_url=", "--ServerApp.log_level=WARN"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = open(LAB / "jupyterlab.log", "w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=LAB / "notebooks")
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600  # a hang guard: JupyterLab starts in a few seconds
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=60)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"JupyterLab did not start: {(LAB / 'jupyterlab.log').read_text()[-2000:]}")
            time.sleep(0.5)
    yield base, token
    server.terminate()
    try:
        server.wait(timeout=120)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


@pytest.fixture(scope="module")
def browser(lab):
    chrome = start_chrome(1280, 1000)
    chrome.set_page_load_timeout(300)
    yield chrome
    chrome.quit()


def wait_for(browser, script: str, seconds: float, *args) -> object:
    deadline = time.monotonic() + seconds
    while True:
        value = browser.execute_script(script, *args)
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.25)


CELL = "return document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell')[arguments[0]]"
PROMPT = ("const c = document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell')"
          "[arguments[0]]; const p = c && c.querySelector('.jp-InputPrompt'); return p ? p.textContent : '';")


def run_cell(browser, index: int, seconds: float) -> None:
    """Select cell ``index`` and run it in place (Ctrl+Enter); wait until its prompt shows a number."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    cell = browser.execute_script(CELL, index)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", cell)
    prompt = cell.find_element("css selector", ".jp-InputPrompt")
    ActionChains(browser).click(prompt).perform()  # select the cell (command mode)
    ActionChains(browser).key_down(Keys.CONTROL).send_keys(Keys.ENTER).key_up(Keys.CONTROL).perform()
    done = wait_for(browser, PROMPT.replace("return p ?", "return p && /\\[\\d+\\]/.test(p.textContent) ?"),
                    seconds, index)
    assert done, f"cell {index} did not finish in {seconds} s (prompt {browser.execute_script(PROMPT, index)!r})"
    errors = cell.find_elements("css selector", ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    tracebacks = [e.text for e in errors if "Traceback" in e.text]
    assert not tracebacks, f"cell {index} raised: {tracebacks[0][-1500:]}"


def open_lesson(browser, lab, name: str) -> None:
    base, token = lab
    drain(browser)
    # a workspace of its own, reset: the lesson is the only notebook open
    browser.get(f"{base}/lab/workspaces/{name[:2]}/tree/{name}?reset&token={token}")
    assert wait_for(browser, "return document.querySelectorAll('.jp-NotebookPanel .jp-Notebook .jp-Cell').length", 300), \
        f"JupyterLab did not show {name}"
    status = ("const s = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Toolbar-kernelStatus,"
              " .jp-NotebookPanel:not(.lm-mod-hidden) [data-jp-item-name=\"kernelStatus\"]');"
              " return !s || /idle/i.test(s.getAttribute('data-status') || s.title || s.textContent || '')")
    wait_for(browser, status, 300)
    time.sleep(1)  # the kernel's first reply


def widget_output(browser, index: int) -> str:
    return browser.execute_script(
        "const c = arguments[0]; const o = c.querySelector('.jupyter-widgets-output-area, .widget-output');"
        " return o ? o.innerText : '';", browser.execute_script(CELL, index))


def set_widget_text(browser, index: int, selector: str, text: str) -> None:
    from selenium.webdriver.common.keys import Keys

    box = browser.execute_script(CELL, index).find_element("css selector", selector)
    box.click()
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.DELETE)
    box.send_keys(text)


def assert_local(browser, what: str) -> None:
    outside, _ = drain(browser)  # JupyterLab's own console messages are not the lesson's
    assert not outside, f"{what}: the browser asked for the network: {outside[:5]}"


@pytest.mark.parametrize("lesson, needle, budget", [
    ("01_", "show_pieces", 180),
    ("12_", "question_box", 420),
])
def test_widget_follows_its_input(browser, lab, lesson, needle, budget):
    found = sorted((LAB / "notebooks").glob(f"{lesson}*.ipynb"))
    if not found:
        pytest.skip(f"no lesson {lesson}*")
    path = found[0]
    nb = nbformat.read(path, as_version=4)
    target = widget_cell(nb, needle)
    open_lesson(browser, lab, path.name)
    start = time.monotonic()
    for index in cells_needed(nb, target):
        run_cell(browser, index, max(300.0, budget - (time.monotonic() - start)))
    run_cell(browser, target, 300)
    text_box = ".widget-text input"
    first = ""
    deadline = time.monotonic() + 300  # a hang guard
    while not first and time.monotonic() < deadline:
        first = widget_output(browser, target)
        time.sleep(0.3)
    assert first.strip(), f"{path.name}: the widget drew no output"
    if lesson == "01_":
        set_widget_text(browser, target, text_box, "Hello embeddings")
        expect = "##"  # "embeddings" is split into pieces
        check = lambda out: "hello" in out and "embeddings" not in out.split() and out != first
    else:
        set_widget_text(browser, target, ".widget-textarea textarea", "The capital of Italy is Rome.")
        set_widget_text(browser, target, text_box, "What is the capital of Italy?")
        expect = "Italy"
        check = lambda out: "capital of Italy?" in out and "answer" in out and out != first
    deadline = time.monotonic() + 300  # a hang guard: the widget answers within a second or two
    after = widget_output(browser, target)
    while not check(after) and time.monotonic() < deadline:
        time.sleep(0.5)
        after = widget_output(browser, target)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", browser.execute_script(CELL, target))
    time.sleep(0.5)
    screenshot(browser, f"lab_{lesson}widget.png")
    assert check(after), f"{path.name}: the widget's output did not follow its input ({expect!r}): {after[-800:]!r}"
    assert_local(browser, path.name)
