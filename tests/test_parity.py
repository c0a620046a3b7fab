"""minibert gives the same numbers as transformers (fp32, atol 1e-5), for every model class.

Reference models are random-weight transformers models; their weights reach minibert by the real
path (transformers save_pretrained -> minibert from_pretrained), and back (minibert save_pretrained ->
transformers from_pretrained, with no missing or unexpected keys).
"""
from __future__ import annotations

import warnings

import pytest
import torch
import transformers

import minibert.heads as heads
from minibert.config import BertConfig
from minibert.hub import minilm_dir
from minibert.modeling import BertModel

ATOL = 1e-5
B, T = 3, 11
LENGTHS = [11, 7, 4]  # real tokens per row; the rest is padding

CONFIGS = {
    # tiny: 2 layers, H 64, 4 heads of 16
    "tiny": dict(vocab_size=99, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                 intermediate_size=128, max_position_embeddings=32),
    # odd: nothing a power of two, 3 segment types, a non-zero pad id, tanh GELU
    "odd": dict(vocab_size=101, hidden_size=30, num_hidden_layers=3, num_attention_heads=3,
                intermediate_size=77, max_position_embeddings=13, type_vocab_size=3, pad_token_id=1,
                layer_norm_eps=1e-6, hidden_act="gelu_new"),
}
CLASSES = ["BertModel", "BertForPreTraining", "BertForMaskedLM", "BertForNextSentencePrediction",
           "BertForSequenceClassification", "BertForTokenClassification", "BertForQuestionAnswering",
           "BertForMultipleChoice"]
# Extra cases: (class name, config overrides)
VARIANTS = [(name, {}) for name in CLASSES] + [
    ("BertForSequenceClassification", dict(num_labels=1)),  # regression
    ("BertForSequenceClassification", dict(num_labels=3, problem_type="multi_label_classification")),
    ("BertForTokenClassification", dict(num_labels=5)),
]


def minibert_class(name: str) -> type:
    return BertModel if name == "BertModel" else getattr(heads, name)


def perturb_(model: torch.nn.Module, seed: int = 0) -> None:
    """Move every parameter off its initial value (LayerNorm 1/0, zero biases would hide bugs)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn(p.shape, generator=g) * 0.1)


def make_batch(config: dict, name: str, overrides: dict, seed: int = 0) -> tuple[dict, dict]:
    """(inputs, labels) with padding, both segments (and a third type where the config has one)."""
    g = torch.Generator().manual_seed(seed)
    V, types = config["vocab_size"], config.get("type_vocab_size", 2)
    length = min(T, config["max_position_embeddings"])
    mask = (torch.arange(length)[None, :] < torch.tensor(LENGTHS)[:, None].clamp(max=length)).long()  # (B, T)
    ids = torch.randint(0, V, (B, length), generator=g)
    segments = (torch.arange(length) >= length // 2).long().expand(B, -1).clone()
    segments[0, -1] = types - 1
    inputs = dict(input_ids=ids, token_type_ids=segments, attention_mask=mask)
    labels: dict[str, torch.Tensor] = {}
    num_labels = overrides.get("num_labels", 2)
    if name in ("BertForPreTraining", "BertForMaskedLM"):
        mlm = torch.where(torch.rand(B, length, generator=g) < 0.3, ids, -100)
        mlm[0, 1] = ids[0, 1]  # at least one predicted position
        labels["labels"] = mlm
    if name == "BertForPreTraining":
        labels["next_sentence_label"] = torch.tensor([0, 1, 1])
    if name == "BertForNextSentencePrediction":
        labels["labels"] = torch.tensor([1, 0, 1])
    if name == "BertForSequenceClassification":
        if num_labels == 1:
            labels["labels"] = torch.randn(B, generator=g)
        elif overrides.get("problem_type") == "multi_label_classification":
            labels["labels"] = torch.randint(0, 2, (B, num_labels), generator=g).float()
        else:
            labels["labels"] = torch.randint(0, num_labels, (B,), generator=g)
    if name == "BertForTokenClassification":
        labels["labels"] = torch.where(mask.bool(), torch.randint(0, num_labels, (B, length), generator=g), -100)
    if name == "BertForQuestionAnswering":
        labels["start_positions"] = torch.tensor([1, 3, 50])  # 50: outside the window, ignored
        labels["end_positions"] = torch.tensor([2, 5, 50])
    if name == "BertForMultipleChoice":
        C = 2  # two choices: the same rows, shifted
        inputs = {k: torch.stack([v, v.roll(1, dims=0)], dim=1) for k, v in inputs.items()}  # (B, C, T)
        labels["labels"] = torch.tensor([0, 1, 1]) % C
    return inputs, labels


def output_names(reference) -> list[str]:
    """The outputs transformers filled in (it reports cross_attentions as an empty tuple: skip those)."""
    return [name for name, value in reference.items() if not (isinstance(value, tuple) and not value)]


def assert_outputs_close(ours, reference, names) -> None:
    for name in names:
        mine, theirs = ours[name], reference[name]
        assert mine is not None, f"minibert returned no {name}"
        if isinstance(theirs, tuple):
            assert len(mine) == len(theirs), name
            for i, (a, b) in enumerate(zip(mine, theirs)):
                torch.testing.assert_close(a, b, atol=ATOL, rtol=0, msg=lambda m: f"{name}[{i}]: {m}")
        else:
            torch.testing.assert_close(mine, theirs, atol=ATOL, rtol=0, msg=lambda m: f"{name}: {m}")


def reference_model(name: str, config: dict, overrides: dict) -> torch.nn.Module:
    torch.manual_seed(0)
    hf_config = transformers.BertConfig(**config, **overrides, attn_implementation="eager")
    model = getattr(transformers, name)(hf_config)
    perturb_(model)
    return model.eval()


@pytest.mark.parametrize("config_name", CONFIGS)
@pytest.mark.parametrize("name,overrides", VARIANTS, ids=[f"{n}{o or ''}" for n, o in VARIANTS])
def test_transformers_to_minibert(tmp_path, config_name, name, overrides):
    config = CONFIGS[config_name]
    reference = reference_model(name, config, overrides)
    reference.save_pretrained(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every weight must be found: no "newly initialised" warning
        ours = minibert_class(name).from_pretrained(tmp_path)
    assert not ours.training
    inputs, labels = make_batch(config, name, overrides)
    flags = dict(output_attentions=True, output_hidden_states=True)
    with torch.no_grad():
        expected = reference(**inputs, **labels, **flags)
        explicit = ours(**inputs, **labels, **flags)  # explicit attention path
        fast = ours(**inputs, **labels)  # SDPA path
    names = output_names(expected)
    assert {"hidden_states", "attentions"} <= set(names)
    if labels:
        assert "loss" in names
    assert_outputs_close(explicit, expected, names)
    assert_outputs_close(fast, expected, [n for n in names if n not in ("hidden_states", "attentions")])


@pytest.mark.parametrize("name,overrides", VARIANTS, ids=[f"{n}{o or ''}" for n, o in VARIANTS])
def test_minibert_to_transformers(tmp_path, name, overrides):
    config = CONFIGS["odd"]
    torch.manual_seed(1)
    ours = minibert_class(name)(BertConfig(**config, **overrides))
    perturb_(ours, seed=1)
    ours.eval().save_pretrained(tmp_path)
    reference, info = getattr(transformers, name).from_pretrained(
        tmp_path, output_loading_info=True, attn_implementation="eager")
    assert not info["missing_keys"], info
    assert not info["unexpected_keys"], info
    assert not info["mismatched_keys"], info
    assert not info["error_msgs"], info
    inputs, labels = make_batch(config, name, overrides, seed=1)
    with torch.no_grad():
        expected = reference.eval()(**inputs, **labels, output_hidden_states=True)
        mine = ours(**inputs, **labels, output_hidden_states=True)
    assert_outputs_close(mine, expected, output_names(expected))


def test_pretraining_decoder_is_tied_in_transformers_after_round_trip(tmp_path):
    """The file holds no decoder matrix; transformers ties it to the word embeddings we wrote."""
    ours = heads.BertForPreTraining(BertConfig(**CONFIGS["tiny"]))
    perturb_(ours)
    ours.save_pretrained(tmp_path)
    reference = transformers.BertForPreTraining.from_pretrained(tmp_path)
    torch.testing.assert_close(reference.cls.predictions.decoder.weight, ours.bert.embeddings.word_embeddings.weight,
                               atol=0, rtol=0)
    torch.testing.assert_close(reference.cls.predictions.decoder.bias, ours.cls.predictions.bias, atol=0, rtol=0)


SENTENCES = [
    ("The cat sat on the mat.", "It was warm there."),
    ("BERT reads the whole sentence at once, left and right.", None),
    ("Paris is the capital of France.", "What is the capital of France?"),
]


def test_minilm_matches_transformers():
    directory = minilm_dir()
    tokenizer = transformers.BertTokenizer(str(directory / "vocab.txt"), do_lower_case=True)
    firsts = [a for a, _ in SENTENCES]
    seconds = [b or "" for _, b in SENTENCES]
    batch = tokenizer(firsts, seconds, padding=True, return_tensors="pt")
    assert batch["attention_mask"].min() == 0 and batch["token_type_ids"].max() == 1  # padding and segment B
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # all encoder weights present; the position_ids buffer is not a weight
        ours = BertModel.from_pretrained("minilm")
    reference = transformers.BertModel.from_pretrained(directory).eval()
    inputs = {k: batch[k] for k in ("input_ids", "token_type_ids", "attention_mask")}
    with torch.no_grad():
        mine, expected = ours(**inputs), reference(**inputs)
    assert_outputs_close(mine, expected, ["last_hidden_state", "pooler_output"])
    assert ours.num_parameters() == 22_713_216


def test_sdpa_path_equals_explicit_path_in_bf16_autocast(cpu_bf16):
    """The two attention paths agree also under autocast, where the mask must follow the compute dtype."""
    torch.manual_seed(0)
    model = BertModel(BertConfig(**CONFIGS["tiny"])).eval()
    inputs, _ = make_batch(CONFIGS["tiny"], "BertModel", {})
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        fast = model(**inputs).last_hidden_state
        explicit = model(**inputs, output_attentions=True)
    assert explicit.attentions[0].dtype == torch.bfloat16  # scores really were computed in bf16
    torch.testing.assert_close(fast, explicit.last_hidden_state, atol=3e-2, rtol=0)
