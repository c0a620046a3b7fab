"""The plot helpers: the data behind each picture, and every figure draws under Agg with its labels."""
import json

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from minibert.course import text_views, viz  # noqa: E402

TOKENS = ["[CLS]", "the", "cat", "sat", "[SEP]", "it", "slept", "[SEP]"]
TYPES = [0, 0, 0, 0, 0, 1, 1, 1]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _attentions(layers=2, heads=3, length=len(TOKENS)):
    torch.manual_seed(0)
    return tuple(torch.softmax(torch.randn(1, heads, length, length), dim=-1) for _ in range(layers))


def _texts(fig: Figure) -> set[str]:
    """Every title, axis label, tick label and suptitle of a figure."""
    texts = {fig._suptitle.get_text()} if fig._suptitle else set()
    for ax in fig.axes:
        texts |= {ax.get_title(), ax.get_xlabel(), ax.get_ylabel()}
        texts |= {t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()}
    return texts


# ------------------------------------------------------------------------------------------ attention
def test_plot_attention_labels_tokens_and_colour_bar():
    fig = viz.plot_attention(_attentions()[0][0, 1], TOKENS, title="layer 0, head 1")
    texts = _texts(fig)
    assert {"layer 0, head 1", "key: attended-to token", "query: attending token", "attention probability"} <= texts
    assert set(TOKENS) <= texts
    with pytest.raises(ValueError, match=r"probs must be \(3, 3\)"):
        viz.plot_attention(torch.rand(8, 8), TOKENS[:3])


def test_stack_attentions_shapes_and_errors():
    stacked = viz.stack_attentions(_attentions(layers=4, heads=3))
    assert stacked.shape == (4, 3, 8, 8)
    assert viz.stack_attentions([a[0] for a in _attentions()]).shape == (2, 3, 8, 8)  # (heads, T, T) layers
    with pytest.raises(ValueError, match="batch size 2"):
        viz.stack_attentions([torch.rand(2, 3, 8, 8)])
    with pytest.raises(TypeError, match="torch.from_numpy"):
        viz.stack_attentions([np.zeros((1, 3, 8, 8))])
    with pytest.raises(ValueError, match="8 positions but 2 tokens"):
        viz.stack_attentions(_attentions(), TOKENS[:2])


def test_plot_attention_grid_has_every_layer_and_head():
    fig = viz.plot_attention_grid(_attentions(layers=2, heads=3), TOKENS)
    heatmaps = [ax for ax in fig.axes if ax.get_images() and ax.get_label() != "<colorbar>"]
    assert len(heatmaps) == 2 * 3
    texts = _texts(fig)
    assert {"head 0", "head 2", "layer 0", "layer 1"} <= texts and "[SEP]" in texts


def test_head_patterns_finds_a_planted_previous_token_head():
    attentions = [a.clone() for a in _attentions(layers=3, heads=4)]
    length = len(TOKENS)
    previous = torch.zeros(length, length)
    previous[0, 0] = 1.0
    previous[torch.arange(1, length), torch.arange(length - 1)] = 1.0  # every token looks one to the left
    attentions[2][0, 1] = previous
    patterns = viz.head_patterns(attentions, TOKENS, TYPES)
    assert set(patterns) == {"[SEP]", "[CLS]", "previous token", "next token", "other segment"}
    assert all(scores.shape == (3, 4) for scores in patterns.values())
    assert patterns["previous token"][2, 1] == pytest.approx(1.0)
    assert patterns["next token"][2, 1] == pytest.approx(0.0)
    assert viz.top_heads(patterns, "previous token", k=1) == [(2, 1, pytest.approx(1.0))]
    # the planted head: of the 3 segment-B queries, "it" (position 5) looks at [SEP] (segment A)
    assert patterns["other segment"][2, 1] == pytest.approx(1 / length)
    assert "other segment" not in viz.head_patterns(attentions, TOKENS)  # needs token_type_ids


def test_head_patterns_sep_and_cls_mass():
    uniform = [torch.full((1, 2, 8, 8), 1 / 8)]
    patterns = viz.head_patterns(uniform, TOKENS)
    assert patterns["[SEP]"].flatten().tolist() == pytest.approx([2 / 8, 2 / 8])  # two [SEP] tokens
    assert patterns["[CLS]"].flatten().tolist() == pytest.approx([1 / 8, 1 / 8])
    with pytest.raises(KeyError, match="no pattern 'diagonal'"):
        viz.top_heads(patterns, "diagonal")
    fig = viz.plot_head_patterns(patterns)
    assert {"attention to [SEP]", "head", "layer"} <= _texts(fig)


# ------------------------------------------------------------------------------------------ vectors
def test_cosine_similarity_matrix():
    torch.manual_seed(0)
    vectors = torch.randn(6, 16)
    sim = viz.cosine_similarity_matrix(vectors)
    assert sim.shape == (6, 6)
    torch.testing.assert_close(sim.diagonal(), torch.ones(6))
    torch.testing.assert_close(sim, sim.T)
    opposite = viz.cosine_similarity_matrix([[1.0, 0.0], [-2.0, 0.0]])
    assert opposite[0, 1] == pytest.approx(-1.0)
    fig = viz.plot_similarity_matrix(vectors, [f"pos {i}" for i in range(6)], "Position embeddings", "position")
    assert {"Position embeddings", "cosine similarity", "pos 5", "position"} <= _texts(fig)
    with pytest.raises(ValueError, match="2 dimension"):
        viz.cosine_similarity_matrix(torch.randn(3, 4, 5))


def test_pca_2d_finds_the_main_direction():
    torch.manual_seed(0)
    along = torch.linspace(-5, 5, 20)[:, None] * torch.tensor([[3.0, 4.0, 0.0]]) / 5  # spread along (3,4,0)
    vectors = along + 0.01 * torch.randn(20, 3)
    points = viz.pca_2d(vectors)
    assert points.shape == (20, 2)
    torch.testing.assert_close(points.mean(dim=0), torch.zeros(2), atol=1e-5, rtol=0)
    assert points[:, 0].abs().max() == pytest.approx(5.0, abs=0.05)  # the spread lies on component 1
    assert points[:, 1].abs().max() < 0.1
    assert viz.pca_2d(torch.randn(5, 1)).shape == (5, 2)
    fig = viz.plot_embeddings_2d(vectors, [f"w{i}" for i in range(20)], ["a"] * 10 + ["b"] * 10)
    assert {"first principal component", "second principal component"} <= _texts(fig)
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["a", "b"]
    with pytest.raises(ValueError, match="got 2 labels for 20 vectors"):
        viz.plot_embeddings_2d(vectors, ["x", "y"])


# ------------------------------------------------------------------------------------------ text
def test_masking_categories_and_html():
    original = ["[CLS]", "the", "cat", "sat", "on", "the", "mat", "[SEP]"]
    masked = ["[CLS]", "the", "[MASK]", "sat", "dog", "the", "mat", "[SEP]"]
    labels = [-100, -100, 4937, -100, 2006, -100, 13523, -100]
    assert text_views.masking_categories(masked, original, labels) == [None, None, "mask", None, "random", None, "kept", None]
    shown = text_views.show_masking(masked, original, torch.tensor(labels))
    assert "3 of 8 positions predicted: 1 mask, 1 random, 1 kept" in str(shown)
    assert "[MASK]<mask:cat>" in str(shown) and "dog<random:on>" in str(shown)
    assert text_views.MASKING_COLOURS["random"] in shown._repr_html_()
    with pytest.raises(ValueError, match="differ in length"):
        text_views.masking_categories(masked, original, labels[:3])


def test_highlight_entities():
    text = "Ada Lovelace met Babbage in London."
    entities = [{"start": 0, "end": 12, "label": "PER"}, (28, 34, "LOC"), (17, 24, "PER")]
    assert text_views.entity_segments(text, entities) == [
        ("Ada Lovelace", "PER"), (" met ", None), ("Babbage", "PER"), (" in ", None), ("London", "LOC"), (".", None)]
    shown = text_views.highlight_entities(text, entities)
    assert str(shown) == "[Ada Lovelace]PER met [Babbage]PER in [London]LOC."
    assert shown._repr_html_().count("<sub") == 3
    assert "&lt;b&gt;" in text_views.highlight_entities("<b>", [(0, 3, "X")])._repr_html_()  # text is escaped
    with pytest.raises(ValueError, match="overlaps"):
        text_views.entity_segments(text, [(0, 5, "A"), (3, 8, "B")])
    with pytest.raises(ValueError, match="outside the text"):
        text_views.entity_segments(text, [(30, 99, "A")])


# ------------------------------------------------------------------------------------------ training
def test_plot_lr_schedule_marks_the_peak():
    lrs = [1e-4 * min((s + 1) / 10, (100 - s) / 90) for s in range(100)]
    fig = viz.plot_lr_schedule(lrs)
    assert {"Learning-rate schedule", "optimizer step", "learning rate"} <= _texts(fig)
    assert "peak 1.00e-04 at step 9" in fig.axes[0].get_legend().get_texts()[0].get_text()


def test_training_curves_from_jsonl(tmp_path):
    path = tmp_path / "metrics.jsonl"
    records = [{"step": s, "loss": 10 - s} for s in range(1, 6)] + [{"step": 5, "eval_accuracy": 0.5}]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    assert viz.load_metrics(path) == records
    assert viz.metric_series(records, "loss") == ([1, 2, 3, 4, 5], [9, 8, 7, 6, 5])
    assert viz.metric_series(records, "eval_accuracy") == ([5], [0.5])
    fig = viz.plot_training_curves(path, ["loss", "eval_accuracy"])
    assert {"loss", "eval_accuracy", "step", "Training curves"} <= _texts(fig)
    assert len(fig.axes) == 2
    with pytest.raises(KeyError, match="no record has both 'step' and 'mlm_acc'"):
        viz.plot_training_curves(records, ["mlm_acc"])
    path.write_text('{"step": 1}\nnot json\n')
    with pytest.raises(ValueError, match="line 2: not JSON"):
        viz.load_metrics(path)


# ------------------------------------------------------------------------------------------ tasks
def test_plot_confusion_matrix_shows_counts():
    fig = viz.plot_confusion_matrix([[5, 1], [2, 8]], ["neg", "pos"])
    assert {"true label", "predicted label", "neg", "pos", "Confusion matrix"} <= _texts(fig)
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["1", "2", "5", "8"]
    with pytest.raises(ValueError, match=r"matrix must be \(3, 3\)"):
        viz.plot_confusion_matrix([[5, 1], [2, 8]], ["a", "b", "c"])


def test_span_probabilities_and_plot():
    start, end = viz.span_probabilities(torch.tensor([0.0, 5.0, 0.0]), [0.0, 0.0, 5.0])
    torch.testing.assert_close(start.sum(), torch.tensor(1.0))
    assert int(start.argmax()) == 1 and int(end.argmax()) == 2
    fig = viz.plot_span_logits(["[CLS]", "in", "paris"], [0.0, 5.0, 0.0], [0.0, 0.0, 5.0])
    assert {"token", "probability", "paris"} <= _texts(fig)
    with pytest.raises(ValueError, match="differ"):
        viz.span_probabilities([1.0, 2.0], [1.0])


# ------------------------------------------------------------------------------------------ cost
def test_scaling_exponent_and_time_plot():
    lengths = [64, 128, 256, 512]
    assert viz.scaling_exponent(lengths, [n**2 * 1e-6 for n in lengths]) == pytest.approx(2.0)
    assert viz.scaling_exponent(lengths, [3 * n for n in lengths]) == pytest.approx(1.0)
    fig = viz.plot_time_vs_length(lengths, [n**2 * 1e-6 for n in lengths], memory=[n * 0.1 for n in lengths])
    assert len(fig.axes) == 2
    assert {"sequence length (tokens)", "time (s)", "memory (MiB)"} <= _texts(fig)
    assert "length^2.00" in fig.axes[0].get_legend().get_texts()[0].get_text()


def test_plot_helpers_return_figures_and_do_not_show(monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("a helper called plt.show()"))
    assert isinstance(viz.plot_attention_grid(_attentions()), Figure)
    assert isinstance(viz.plot_lr_schedule([0.1, 0.2]), Figure)
