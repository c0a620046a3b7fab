"""Widgets as the page or slide shows them: the state the notebook saved, drawn as plain HTML.

A widget needs a kernel; ipywidgets' own renderer for saved state (``@jupyter-widgets/html-manager``) comes
from a CDN. Instead each widget view of a committed notebook becomes a static copy built from the widget
state the notebook stores (``metadata.widgets``): text boxes show their text, an output widget its outputs,
a progress bar its last value, under a note that says to run the notebook to use it. A view whose state was
not saved becomes the note alone.
"""
from __future__ import annotations

import copy
import html
import re

import nbformat

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
NOTE = "An interactive widget, as it was saved: run the notebook (Colab, or <code>make lab</code>) to use it."
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _outputs_html(outputs: list[dict]) -> str:
    parts = []
    for output in outputs:
        if output.get("output_type") == "stream":
            parts.append(f"<pre>{html.escape(_ANSI.sub('', output.get('text', '')))}</pre>")
        elif output.get("output_type") == "error":
            parts.append(f"<pre>{html.escape(output.get('ename', ''))}: {html.escape(output.get('evalue', ''))}</pre>")
        else:
            data = output.get("data", {})
            if "text/html" in data:
                parts.append("".join(data["text/html"]))
            elif "image/png" in data:
                parts.append(f'<img alt="figure" src="data:image/png;base64,{"".join(data["image/png"]).strip()}">')
            elif "text/plain" in data:
                parts.append(f"<pre>{html.escape(''.join(data['text/plain']))}</pre>")
    return "".join(parts)


def _model_html(models: dict, model_id: str, depth: int = 0) -> str:
    model = models.get(model_id)
    if model is None or depth > 8:
        return ""
    name, state = model.get("model_name", ""), model.get("state", {})
    label = html.escape(str(state.get("description") or ""))
    label = f'<label class="widget-static-label">{label}</label> ' if label else ""
    value = state.get("value")
    if name == "OutputModel":
        return f'<div class="widget-static-output">{_outputs_html(state.get("outputs", []))}</div>'
    if name in ("HBoxModel", "VBoxModel", "BoxModel", "GridBoxModel", "AccordionModel", "TabModel"):
        children = [_model_html(models, str(c).removeprefix("IPY_MODEL_"), depth + 1) for c in state.get("children", [])]
        direction = "row" if name == "HBoxModel" else "column"
        return f'<div style="display: flex; flex-direction: {direction}; gap: 0.5em">{"".join(children)}</div>'
    if name in ("HTMLModel", "HTMLMathModel"):
        return f"<div>{label}{value or ''}</div>"
    if name == "TextareaModel":
        return f'<div>{label}<textarea readonly rows="4" cols="70">{html.escape(str(value or ""))}</textarea></div>'
    if name in ("TextModel", "PasswordModel", "ComboboxModel"):
        return f'<div>{label}<input type="text" readonly size="70" value="{html.escape(str(value or ""))}"></div>'
    if name in ("FloatProgressModel", "IntProgressModel"):
        return f'<div>{label}<progress value="{value or 0}" max="{state.get("max", 100)}"></progress></div>'
    if name in ("ButtonModel",):
        return f'<div><button disabled>{html.escape(str(state.get("description", "")))}</button></div>'
    if "options" in state or "_options_labels" in state:
        options = state.get("_options_labels") or state.get("options") or []
        index = state.get("index")
        shown = options[index] if isinstance(index, int) and 0 <= index < len(options) else value
        return f"<div>{label}<code>{html.escape(str(shown))}</code></div>"
    if value is not None:
        return f"<div>{label}<code>{html.escape(str(value))}</code></div>"
    return ""


def static_html(nb: nbformat.NotebookNode, view: dict) -> str:
    """The saved state of one widget view (``view``: the output's widget-view data), as HTML."""
    models = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    body = _model_html(models, str(view.get("model_id", "")))
    return (f'<div class="widget-static"><p class="widget-static-note">{NOTE}</p>{body}</div>' if body else
            f'<div class="widget-static"><p class="widget-static-note">{NOTE}</p></div>')


def is_progress_bar(output: dict) -> bool:
    """tqdm's bar in a notebook ("training:  40%|####  | 14/35 [00:07<...]"): not worth a widget note."""
    return bool(re.search(r"\d+/\d+ \[", output.get("data", {}).get("text/plain", "")))


def replace_widgets(nb: nbformat.NotebookNode, progress: str = "static") -> nbformat.NotebookNode:
    """A copy of ``nb`` where each widget view is its static copy (HTML) and no widget state is left.

    ``progress``: "static" draws tqdm's bars like any widget, "drop" removes them. The note is given once
    per cell: the widgets of one cell (a text box and its output) share it.
    """
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs, noted = [], False
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view is None:
                outputs.append(output)
                continue
            if progress == "drop" and is_progress_bar(output):
                continue
            text = static_html(nb, view)
            if noted:
                text = text.replace(f'<p class="widget-static-note">{NOTE}</p>', "")
            noted = True
            outputs.append(nbformat.v4.new_output("display_data", data={"text/html": text}))
        cell.outputs = outputs
    nb.metadata.pop("widgets", None)
    return nb
