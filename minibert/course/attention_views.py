"""bertviz's head, model and neuron views, made to work with no network.

bertviz (Jesse Vig) draws attention with d3 inside the notebook, but every view loads require.js from
cdnjs and then asks require.js to fetch d3 and jQuery from cdnjs too: offline (a classroom, a train, CI)
the cell output stays blank. Here we take bertviz's own HTML and JavaScript and

1. replace the ``<script src="https://cdnjs...require.min.js">`` tag by the vendored libraries inlined
   (``minibert/course/static``: require.js, d3 5.7.0, jQuery),
2. register d3 and jQuery with require.js under the names the views ask for (``"d3"``, ``"jquery"``),
3. drop the ``require.config({paths: ...cdnjs...})`` block, so nothing points at the network.

The result is an ``IPython.display.HTML`` object: it draws when it is the last value of a JupyterLab
cell, and :func:`save_html` writes it to a file a teacher can open in any browser.
"""
from __future__ import annotations

import html
import json
import os
import re
import uuid
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import torch
from bertviz import head_view as _bertviz_head_view
from bertviz import model_view as _bertviz_model_view
from IPython.display import HTML

from minibert.course.viz import stack_attentions

# The exact tag bertviz 1.4.1 emits; if a new bertviz changes it we must fail loudly, not go online.
_CDN_REQUIRE_TAG = '<script src="https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.6/require.min.js"></script>'
_REQUIRE_CONFIG = re.compile(r"require\.config\(\{\s*paths:\s*\{[^}]*\}\s*\}\);")
# Attention is drawn as line opacity: 4 decimals look the same and make the JSON data about 2.6x smaller.
_DECIMALS = 4


def _static(name: str) -> str:
    return resources.files("minibert.course").joinpath("static", name).read_text(encoding="utf-8")


def _offline_scripts() -> str:
    """The three libraries inlined, with d3 and jQuery registered as AMD modules "d3" and "jquery".

    require.js returns at once if the page already has an AMD loader (classic Jupyter does). d3 and jQuery
    run with ``define``/``module``/``exports`` hidden, so they neither confuse require.js with an anonymous
    module nor replace a ``$``/``jQuery``/``d3`` the page already uses (``noConflict`` puts those back).
    A name that is already defined (classic Jupyter's "jquery") is left as it is by require.js.
    """
    return (
        '<script type="text/javascript">\n' + _static("require.js") + "\n</script>\n"
        '<script type="text/javascript">\n(function () {\n'
        "  var holder = {}, jquery;\n"
        "  (function (define, module, exports) {\n" + _static("d3.min.js") + "\n  }).call(holder);\n"
        "  (function (define, module, exports) {\n" + _static("jquery.min.js") + "\n"
        "    jquery = window.jQuery.noConflict(true);\n  }).call(window);\n"
        '  define("d3", [], function () { return holder.d3; });\n'
        '  define("jquery", [], function () { return jquery; });\n'
        "})();\n</script>\n"
    )


def _make_offline(page: str) -> HTML:
    """Swap bertviz's CDN loading for the inlined libraries (see the module docstring)."""
    if page.count(_CDN_REQUIRE_TAG) != 1 or len(_REQUIRE_CONFIG.findall(page)) != 1:
        raise RuntimeError(
            "bertviz's HTML no longer has the require.js tag and require.config block this module replaces; "
            "minibert.course.attention_views was written for bertviz 1.4.1"
        )
    page = _REQUIRE_CONFIG.sub("", page)
    return HTML(page.replace(_CDN_REQUIRE_TAG, _offline_scripts()))


_NETWORK_SCRIPT = re.compile(r"<script[^>]*\bsrc=|cdnjs\.|cdn\.jsdelivr|unpkg\.com")


def loads_from_network(page: HTML | str) -> bool:
    """True when a view's HTML would fetch a script from the network (a CDN or any ``<script src=``)."""
    return bool(_NETWORK_SCRIPT.search(page.data if isinstance(page, HTML) else page))


def _check_sentence_b_start(sentence_b_start: int | None, num_tokens: int) -> None:
    if sentence_b_start is not None and not 0 < sentence_b_start < num_tokens:
        raise ValueError(f"sentence_b_start must be between 1 and {num_tokens - 1} (the tokens), got {sentence_b_start}")


def _rounded(layers: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    # float64 so that json writes 0.1234, not the float32 value 0.12340000271797180
    return [layer.detach().to("cpu", torch.float64).round(decimals=_DECIMALS) for layer in layers]


def _checked_attentions(attentions: Sequence[torch.Tensor], tokens: Sequence[str],
                        sentence_b_start: int | None) -> list[torch.Tensor]:
    """The per-layer ``(1, heads, T, T)`` list bertviz wants, rounded, after clear checks of the input."""
    _check_sentence_b_start(sentence_b_start, len(tokens))
    return _rounded(stack_attentions(attentions, tokens)[:, None])  # L of (1, A, T, T)


def head_view(
    attentions: Sequence[torch.Tensor],
    tokens: Sequence[str],
    sentence_b_start: int | None = None,
    layer: int | None = None,
    heads: list[int] | None = None,
) -> HTML:
    """bertviz's head view (one layer, heads as colours, lines from each token to the tokens it attends to).

    ``attentions``: ``model(..., output_attentions=True).attentions`` for one example, each ``(1, heads, T, T)``;
    ``sentence_b_start``: index of the first token of sentence B, which adds the A→B / B→A filters.
    """
    layers = _checked_attentions(attentions, tokens, sentence_b_start)
    view = _bertviz_head_view(layers, list(tokens), sentence_b_start, layer=layer, heads=heads,
                              html_action="return")
    return _make_offline(view.data)


def model_view(
    attentions: Sequence[torch.Tensor],
    tokens: Sequence[str],
    sentence_b_start: int | None = None,
    include_layers: list[int] | None = None,
    include_heads: list[int] | None = None,
    display_mode: str = "light",
) -> HTML:
    """bertviz's model view: a thumbnail of every layer × head; click one to enlarge it."""
    layers = _checked_attentions(attentions, tokens, sentence_b_start)
    view = _bertviz_model_view(layers, list(tokens), sentence_b_start, display_mode=display_mode,
                               include_layers=include_layers, include_heads=include_heads, html_action="return")
    return _make_offline(view.data)


def neuron_view_data(
    attentions: Sequence[torch.Tensor],
    queries: Sequence[torch.Tensor],
    keys: Sequence[torch.Tensor],
    tokens: Sequence[str],
    sentence_b_start: int | None = None,
) -> dict:
    """The ``params["attention"]`` dict bertviz's neuron_view.js draws, from per-layer tensors.

    ``queries``/``keys``: ``attention_queries``/``attention_keys`` of a minibert model called with
    ``output_attention_inputs=True``, each ``(1, heads, T, head_size)``. Filters ``"all"`` and, for a pair,
    ``"aa"``, ``"ab"``, ``"ba"``, ``"bb"`` (source sentence, target sentence), as bertviz's get_attention builds.
    """
    layers = _checked_attentions(attentions, tokens, sentence_b_start)
    heads, length = layers[0].shape[1], layers[0].shape[-1]
    for name, vectors in (("queries", queries), ("keys", keys)):
        if len(vectors) != len(attentions):
            raise ValueError(f"{name} has {len(vectors)} layers but attentions has {len(attentions)}")
        for i, layer in enumerate(vectors):
            if not isinstance(layer, torch.Tensor) or layer.dim() != 4 or tuple(layer.shape[:3]) != (1, heads, length):
                shape = tuple(layer.shape) if isinstance(layer, torch.Tensor) else type(layer).__name__
                raise ValueError(f"{name}[{i}] must have shape (1, {heads}, {length}, head_size); got {shape}")
    attn = [a[0] for a in layers]  # each (heads, T, T)
    q = [v[0] for v in _rounded(queries)]  # each (heads, T, head_size)
    k = [v[0] for v in _rounded(keys)]
    tokens = list(tokens)

    def view(source: slice, target: slice) -> dict:
        return {
            "attn": [a[:, source, target].tolist() for a in attn],
            "queries": [v[:, source].tolist() for v in q],
            "keys": [v[:, target].tolist() for v in k],
            "left_text": tokens[source],
            "right_text": tokens[target],
        }

    data = {"all": view(slice(None), slice(None))}
    if sentence_b_start is not None:
        a, b = slice(0, sentence_b_start), slice(sentence_b_start, None)
        data.update(aa=view(a, a), ab=view(a, b), ba=view(b, a), bb=view(b, b))
    return data


def _neuron_html(data: dict, layer: int | None, head: int | None, display_mode: str) -> HTML:
    """Assemble the neuron view page the way bertviz's neuron_view.show does, minus the CDN."""
    vis_id = f"bertviz-{uuid.uuid4().hex}"
    pair_filter = """
      <span class="dropdown-label">Attention: </span><select id="filter">
        <option value="all">All</option>
        <option value="aa">Sentence A -> Sentence A</option>
        <option value="ab">Sentence A -> Sentence B</option>
        <option value="ba">Sentence B -> Sentence A</option>
        <option value="bb">Sentence B -> Sentence B</option>
      </select>""" if "aa" in data else ""
    vis_html = f"""
    <div id={vis_id} style="padding:8px;font-family:'Helvetica Neue', Helvetica, Arial, sans-serif;">
      <span style="user-select:none">
        <span class="dropdown-label">Layer: </span><select id="layer"></select>
        <span class="dropdown-label">Head: </span> <select id="att_head"></select>{pair_filter}
      </span>
      <div id='vis'></div>
    </div>"""
    params = {"attention": data, "default_filter": "all", "root_div_id": vis_id, "bidirectional": True,
              "display_mode": display_mode, "layer": layer, "head": head}
    js = resources.files("bertviz").joinpath("neuron_view.js").read_text(encoding="utf-8")
    page = (_CDN_REQUIRE_TAG + vis_html
            + f'\n<script type="text/javascript">\nwindow.bertviz_params = {json.dumps(params)}\n</script>\n'
            + f'\n<script type="text/javascript">\n{js}\n</script>\n')
    return _make_offline(page)


def neuron_view(
    model: torch.nn.Module,
    tokenizer,
    sentence_a: str,
    sentence_b: str | None = None,
    layer: int | None = None,
    head: int | None = None,
    display_mode: str = "light",
) -> HTML:
    """bertviz's neuron view: for one layer and head, how query · key products make the attention.

    ``model`` is a minibert ``BertModel`` (or a model with its ``output_attention_inputs`` outputs);
    ``tokenizer`` a minibert (or Hugging Face) ``BertTokenizer``.
    """
    encoding = tokenizer(sentence_a, sentence_b, return_tensors="pt")
    model.eval()
    with torch.no_grad():
        out = model(encoding["input_ids"], token_type_ids=encoding["token_type_ids"],
                    output_attentions=True, output_attention_inputs=True)
    ids = encoding["input_ids"][0].tolist()
    tokens = tokenizer.convert_ids_to_tokens(ids)
    sentence_b_start = ids.index(tokenizer.sep_token_id) + 1 if sentence_b else None
    data = neuron_view_data(out.attentions, out.attention_queries, out.attention_keys, tokens, sentence_b_start)
    num_layers, num_heads = len(out.attentions), out.attentions[0].shape[1]
    if layer is not None and not 0 <= layer < num_layers:
        raise ValueError(f"layer must be in 0..{num_layers - 1}, got {layer}")
    if head is not None and not 0 <= head < num_heads:
        raise ValueError(f"head must be in 0..{num_heads - 1}, got {head}")
    return _neuron_html(data, layer, head, display_mode)


def save_html(view: HTML | str, path: str | os.PathLike, title: str = "minibert attention view") -> Path:
    """Write a view as a standalone HTML page (no network needed to open it); returns the path."""
    body = view.data if isinstance(view, HTML) else view
    if not isinstance(body, str):
        raise TypeError(f"save_html expects a view returned by head_view/model_view/neuron_view, got {type(view).__name__}")
    path = Path(path)
    path.write_text(
        f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>{html.escape(title)}</title>\n</head>\n'
        f"<body>\n{body}\n</body>\n</html>\n",
        encoding="utf-8",
    )
    return path
