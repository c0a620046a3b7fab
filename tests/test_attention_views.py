"""The offline bertviz views: no network in the HTML, the right data inside, clear errors on bad input."""
import json
import re

import numpy as np
import pytest
import torch

from minibert.config import BertConfig
from minibert.course.attention_views import head_view, model_view, neuron_view, neuron_view_data, save_html
from minibert.modeling import BertModel
from minibert.tokenizer import BertTokenizer

LAYERS, HEADS, HEAD_SIZE = 3, 4, 8
TOKENS = ["[CLS]", "the", "cat", "sat", "[SEP]", "it", "slept", "[SEP]"]
B_START = 5


def _attentions(batch=1, layers=LAYERS, heads=HEADS, length=len(TOKENS)):
    torch.manual_seed(0)
    return tuple(torch.softmax(torch.randn(batch, heads, length, length), dim=-1) for _ in range(layers))


def _vectors(length=len(TOKENS)):
    return tuple(torch.randn(1, HEADS, length, HEAD_SIZE) for _ in range(LAYERS))


def _params(page: str, marker: str) -> dict:
    """The JSON object bertviz's JS receives (after ``marker``), parsed back."""
    start = page.index(marker) + len(marker)
    return json.JSONDecoder().raw_decode(page[start:].lstrip())[0]


def _assert_offline(page: str) -> None:
    for forbidden in ("cdnjs", "cdn.jsdelivr", "unpkg", "require.config({"):
        assert forbidden not in page
    assert not re.search(r"<script[^>]*\bsrc\s*=", page)
    assert "@license RequireJS" in page  # require.js inlined
    assert "https://d3js.org v5.7.0" in page  # d3 inlined
    assert "jQuery v3.7.1" in page
    assert 'define("d3"' in page and 'define("jquery"' in page


@pytest.mark.parametrize("view", [head_view, model_view])
def test_views_are_offline_and_carry_every_layer_and_head(view):
    page = view(_attentions(), TOKENS).data
    _assert_offline(page)
    params = _params(page, "const params =")
    (data,) = params["attention"]
    assert len(data["attn"]) == LAYERS and all(len(layer) == HEADS for layer in data["attn"])
    assert data["left_text"] == TOKENS
    row = data["attn"][1][2][3]
    assert row == pytest.approx(_attentions()[1][0, 2, 3].tolist(), abs=1e-4)  # rounded to 4 decimals


def test_head_view_sentence_pair_filters():
    params = _params(head_view(_attentions(), TOKENS, sentence_b_start=B_START).data, "const params =")
    names = [d["name"] for d in params["attention"]]
    assert names == ["All", "Sentence A -> Sentence A", "Sentence B -> Sentence B",
                     "Sentence A -> Sentence B", "Sentence B -> Sentence A"]
    a_to_b = params["attention"][3]
    assert a_to_b["left_text"] == TOKENS[:B_START] and a_to_b["right_text"] == TOKENS[B_START:]
    assert np.array(a_to_b["attn"]).shape == (LAYERS, HEADS, B_START, len(TOKENS) - B_START)


def test_neuron_view_data_matches_bertviz_layout():
    queries, keys = _vectors(), _vectors()
    data = neuron_view_data(_attentions(), queries, keys, TOKENS, sentence_b_start=B_START)
    assert set(data) == {"all", "aa", "ab", "ba", "bb"}
    ab = data["ab"]
    assert np.array(ab["attn"]).shape == (LAYERS, HEADS, B_START, len(TOKENS) - B_START)
    assert np.array(ab["queries"]).shape == (LAYERS, HEADS, B_START, HEAD_SIZE)  # queries of A
    assert np.array(ab["keys"]).shape == (LAYERS, HEADS, len(TOKENS) - B_START, HEAD_SIZE)  # keys of B
    np.testing.assert_allclose(data["all"]["keys"][2], keys[2][0].numpy(), atol=1e-4)
    assert (ab["left_text"], ab["right_text"]) == (TOKENS[:B_START], TOKENS[B_START:])


def test_neuron_view_on_a_minibert_model(tmp_path):
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "sat", "it", "slept"]
    (tmp_path / "vocab.txt").write_text("\n".join(words) + "\n")
    tokenizer = BertTokenizer(str(tmp_path / "vocab.txt"))
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(words), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=64, max_position_embeddings=16)
    model = BertModel(config)
    page = neuron_view(model, tokenizer, "The cat sat", "it slept", layer=1, head=3).data
    _assert_offline(page)
    params = _params(page, "window.bertviz_params =")
    assert (params["layer"], params["head"]) == (1, 3)
    assert params["attention"]["all"]["left_text"] == TOKENS
    assert params["attention"]["ba"]["left_text"] == TOKENS[B_START:]
    assert np.array(params["attention"]["all"]["queries"]).shape == (2, 4, len(TOKENS), 8)
    with pytest.raises(ValueError, match="head must be in 0..3"):
        neuron_view(model, tokenizer, "the cat", "it", head=4)


def test_save_html_writes_a_standalone_page(tmp_path):
    path = save_html(head_view(_attentions(), TOKENS), tmp_path / "view.html", title="cats & mats")
    page = path.read_text()
    assert page.startswith("<!DOCTYPE html>") and "<title>cats &amp; mats</title>" in page
    _assert_offline(page)
    with pytest.raises(TypeError, match="save_html expects a view"):
        save_html(42, tmp_path / "bad.html")


def test_clear_errors_on_bad_input():
    with pytest.raises(ValueError, match="batch size 2"):
        head_view(_attentions(batch=2), TOKENS)
    with pytest.raises(TypeError, match="torch.from_numpy"):
        head_view([a.numpy() for a in _attentions()], TOKENS)
    with pytest.raises(TypeError, match="one tensor per layer"):
        model_view(torch.stack(_attentions()), TOKENS)
    with pytest.raises(ValueError, match="8 positions but 3 tokens"):
        head_view(_attentions(), TOKENS[:3])
    with pytest.raises(ValueError, match=r"shape \(1, heads, T, T\)"):
        head_view([torch.rand(1, HEADS, 8, 7)], TOKENS)
    with pytest.raises(ValueError, match="same shape"):
        model_view(_attentions() + (torch.rand(1, HEADS + 1, 8, 8),), TOKENS)
    with pytest.raises(ValueError, match="sentence_b_start must be between 1 and 7"):
        head_view(_attentions(), TOKENS, sentence_b_start=8)
    with pytest.raises(ValueError, match=r"keys\[0\] must have shape \(1, 4, 8, head_size\)"):
        neuron_view_data(_attentions(), _vectors(), _vectors(length=5), TOKENS)
    with pytest.raises(ValueError, match="queries has 2 layers"):
        neuron_view_data(_attentions(), _vectors()[:2], _vectors(), TOKENS)


def test_loads_from_network_spots_cdn_and_remote_scripts():
    from minibert.course.attention_views import loads_from_network

    assert loads_from_network('<script src="https://cdnjs.cloudflare.com/x.js"></script>')
    assert loads_from_network("require.config({paths: {d3: 'https://cdn.jsdelivr.net/d3'}})")
    assert not loads_from_network("<script>var x = 1;</script>")
