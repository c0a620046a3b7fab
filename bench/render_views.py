"""Render the three offline attention views for MiniLM and check them in headless Chromium.

    python bench/render_views.py [OUT_DIR]        (default: ./runs/views)

For each of the head, model and neuron views this writes OUT_DIR/<view>.html, then loads it in headless
Chromium with every host name mapped to nowhere and a network log switched on, and checks that
1. the HTML has no ``<script src=...>`` and names no CDN,
2. the DOM after the scripts ran holds the drawn attention lines (``<line>`` elements in an ``<svg>``),
3. the network log has no http(s) request at all,
and saves OUT_DIR/<view>.png (look at it: the lines should fan out from the tokens).
Needs ``/usr/bin/chromium`` (Debian: ``apt-get install -y chromium``).
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

from minibert.course.attention_views import head_view, model_view, neuron_view, save_html
from minibert.modeling import BertModel
from minibert.tokenizer import BertTokenizer

CHROMIUM = "/usr/bin/chromium"
SENTENCE_A, SENTENCE_B = "The cat sat on the mat.", "It was tired."
CDN_MARKERS = ("<script src=", "cdnjs", "cdn.jsdelivr", "unpkg")


def chromium(*args: str) -> str:
    """Run headless Chromium offline (all host names unresolvable) and return its stdout."""
    with tempfile.TemporaryDirectory() as profile:
        cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile}",
               "--virtual-time-budget=5000", *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True).stdout


def page_requests(net_log: Path) -> list[str]:
    """The http(s) URLs the page asked for, from Chromium's network log.

    Chromium itself also phones home (updates, accounts) whatever the page does; those requests have no
    origin ("not an origin"), a page's requests carry the page's origin ("null" for a file:// page).
    """
    log = json.loads(net_log.read_text(errors="replace"))
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return sorted({
        e["params"]["url"] for e in log["events"]
        if e["type"] == start_job and "url" in e.get("params", {})
        and e["params"]["url"].startswith("http") and e["params"].get("initiator") != "not an origin"
    })


def check_view(name: str, view, out_dir: Path) -> dict:
    page = save_html(view, out_dir / f"{name}.html", title=f"minibert {name} view")
    text = page.read_text()
    found = [marker for marker in CDN_MARKERS if marker in text]
    assert not found, f"{name}: the HTML still loads from the network: {found}"
    url = page.resolve().as_uri()
    net_log = out_dir / f"{name}.netlog.json"
    dom = chromium("--dump-dom", f"--log-net-log={net_log}", url)
    lines = len(re.findall(r"<line\b", dom))
    assert "<svg" in dom and lines > 0, f"{name}: nothing was drawn (no <line> in the DOM)"
    urls = page_requests(net_log)
    assert not urls, f"{name}: network requests attempted: {urls}"
    chromium(f"--screenshot={out_dir / f'{name}.png'}", "--window-size=1300,1000", url)
    return {"view": name, "html_bytes": len(text.encode()), "svg_lines": lines, "http_requests": len(urls),
            "screenshot": str(out_dir / f"{name}.png")}


def main() -> None:
    out_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "runs/views")
    out_dir.mkdir(parents=True, exist_ok=True)
    tokenizer = BertTokenizer.from_pretrained("minilm")
    model = BertModel.from_pretrained("minilm").eval()
    enc = tokenizer(SENTENCE_A, SENTENCE_B, return_tensors="pt")
    with torch.no_grad():
        out = model(enc["input_ids"], token_type_ids=enc["token_type_ids"], output_attentions=True)
    tokens = tokenizer.convert_ids_to_tokens(enc["input_ids"][0].tolist())
    b_start = tokens.index("[SEP]") + 1
    views = {
        "head": head_view(out.attentions, tokens, b_start),
        "model": model_view(out.attentions, tokens, b_start),
        "neuron": neuron_view(model, tokenizer, SENTENCE_A, SENTENCE_B, layer=2, head=0),
    }
    print(f"{len(tokens)} tokens: {' '.join(tokens)}")
    for name, view in views.items():
        print(json.dumps(check_view(name, view, out_dir)))


if __name__ == "__main__":
    main()
