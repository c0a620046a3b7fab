"""BertConfig reads and writes Hugging Face's config.json, and its presets are Google's sizes."""
import json

import pytest
import transformers

from minibert import BertConfig
from minibert.config import PRESETS


@pytest.mark.parametrize("name,layers,hidden,heads", [
    ("tiny", 2, 128, 2), ("mini", 4, 256, 4), ("small", 4, 512, 8),
    ("medium", 8, 512, 8), ("base", 12, 768, 12), ("large", 24, 1024, 16),
])
def test_presets_are_googles_sizes(name, layers, hidden, heads):
    config = BertConfig.from_preset(name)
    assert (config.num_hidden_layers, config.hidden_size, config.num_attention_heads) == (layers, hidden, heads)
    assert config.intermediate_size == 4 * hidden
    assert config.head_size == hidden // heads


def test_preset_overrides_and_unknown_preset():
    assert BertConfig.from_preset("tiny", vocab_size=8000).vocab_size == 8000
    with pytest.raises(ValueError, match="unknown preset 'huge'"):
        BertConfig.from_preset("huge")
    assert set(PRESETS) == {"tiny", "mini", "small", "medium", "base", "large"}


def test_round_trip_through_transformers(tmp_path):
    ours = BertConfig.from_preset("mini", vocab_size=1234, num_labels=3, id2label={0: "neg", 1: "neu", 2: "pos"})
    ours.save_pretrained(tmp_path)
    theirs = transformers.BertConfig.from_pretrained(tmp_path)
    for name in ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
                 "hidden_act", "hidden_dropout_prob", "attention_probs_dropout_prob", "max_position_embeddings",
                 "type_vocab_size", "initializer_range", "layer_norm_eps", "pad_token_id", "num_labels"):
        assert getattr(theirs, name) == getattr(ours, name), name
    assert theirs.id2label == {0: "neg", 1: "neu", 2: "pos"}
    theirs.save_pretrained(tmp_path / "hf")
    back = BertConfig.from_pretrained(tmp_path / "hf")
    assert back.hidden_size == 256 and back.id2label == ours.id2label and back.label2id == {"neg": 0, "neu": 1, "pos": 2}


def test_reads_the_minilm_config():
    config = BertConfig.from_pretrained("minilm")
    assert (config.num_hidden_layers, config.hidden_size, config.num_attention_heads) == (6, 384, 12)
    assert config.intermediate_size == 1536 and config.vocab_size == 30522


def test_unknown_keys_survive_a_round_trip(tmp_path):
    config = BertConfig.from_dict({"hidden_size": 64, "num_attention_heads": 4, "my_note": "kept"})
    config.save_pretrained(tmp_path)
    assert json.loads((tmp_path / "config.json").read_text())["my_note"] == "kept"


@pytest.mark.parametrize("bad,message", [
    (dict(hidden_size=100, num_attention_heads=12), "not divisible"),
    (dict(hidden_act="swish"), "hidden_act"),
    (dict(vocab_size=0), "vocab_size must be positive"),
])
def test_bad_configs_are_named(bad, message):
    with pytest.raises(ValueError, match=message):
        BertConfig(**bad)


def test_relative_positions_are_refused():
    with pytest.raises(ValueError, match="position_embedding_type"):
        BertConfig.from_dict({"position_embedding_type": "relative_key"})


def test_unreadable_config_file(tmp_path):
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(ValueError, match="cannot read the config file"):
        BertConfig.from_pretrained(tmp_path)
