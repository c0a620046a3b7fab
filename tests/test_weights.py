"""Reading and writing checkpoints: file formats, key variants, and the errors and warnings they raise."""
from __future__ import annotations

import os
import warnings

import pytest
import torch
from safetensors import safe_open
from safetensors.torch import save_file

import minibert.files as files
import minibert.weights as weights
from minibert.config import BertConfig
from minibert.heads import BertForPreTraining, BertForSequenceClassification
from minibert.modeling import BertModel

CONFIG = BertConfig(vocab_size=50, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=64, max_position_embeddings=16)
IDS = torch.randint(1, 50, (2, 7), generator=torch.Generator().manual_seed(0))


def randomised(model: torch.nn.Module) -> torch.nn.Module:
    torch.manual_seed(0)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    return model.eval()


def write_checkpoint(directory, state: dict[str, torch.Tensor], config: BertConfig = CONFIG, bin: bool = False):
    directory.mkdir(exist_ok=True)
    config.save_pretrained(directory)
    if bin:
        torch.save(state, directory / weights.PYTORCH_NAME)
    else:
        save_file({k: v.contiguous() for k, v in state.items()}, directory / weights.SAFETENSORS_NAME)
    return directory


def load_quietly(cls, directory):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return cls.from_pretrained(directory)


def assert_same_encoder(a: BertModel, b: BertModel) -> None:
    torch.testing.assert_close(a(IDS).last_hidden_state, b(IDS).last_hidden_state, atol=0, rtol=0)


def test_legacy_gamma_beta_layernorm_names(tmp_path):
    model = randomised(BertModel(CONFIG))
    state = {k.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta"): v
             for k, v in model.state_dict().items()}
    assert any(k.endswith("gamma") for k in state)
    assert_same_encoder(load_quietly(BertModel, write_checkpoint(tmp_path, state)), model)


def test_pytorch_model_bin(tmp_path):
    model = randomised(BertForPreTraining(CONFIG))
    loaded = load_quietly(BertForPreTraining, write_checkpoint(tmp_path, model.state_dict(), bin=True))
    torch.testing.assert_close(loaded(IDS).prediction_logits, model(IDS).prediction_logits, atol=0, rtol=0)


class Exploit:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_pytorch_model_bin_with_code_in_it_is_refused(tmp_path):
    tmp_path.mkdir(exist_ok=True)
    CONFIG.save_pretrained(tmp_path)
    torch.save({"embeddings.word_embeddings.weight": Exploit()}, tmp_path / weights.PYTORCH_NAME)
    with pytest.raises(ValueError, match=rf"cannot read the weights file .*{weights.PYTORCH_NAME}"):
        BertModel.from_pretrained(tmp_path)


def test_bare_encoder_checkpoint_into_a_model_with_heads(tmp_path):
    encoder = randomised(BertModel(CONFIG))
    write_checkpoint(tmp_path, encoder.state_dict())  # keys without "bert."
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = BertForPreTraining.from_pretrained(tmp_path)
    assert len(caught) == 1  # said once
    message = str(caught[0].message)
    assert "newly initialised" in message
    assert "cls.predictions.bias" in message and "cls.seq_relationship.weight" in message
    assert "bert.encoder" not in message and "not used" not in message
    assert_same_encoder(model.bert, encoder)


def test_prefixed_checkpoint_into_a_bare_encoder(tmp_path):
    full = randomised(BertForPreTraining(CONFIG))
    write_checkpoint(tmp_path, full.state_dict())  # keys with "bert.", plus cls.*
    with pytest.warns(UserWarning, match=r"not used by BertModel: cls\.predictions\.bias") as caught:
        model = BertModel.from_pretrained(tmp_path)
    assert len(caught) == 1 and "newly initialised" not in str(caught[0].message)
    assert_same_encoder(model, full.bert)


def test_pretraining_checkpoint_into_a_classifier_says_what_is_new_and_what_is_dropped(tmp_path):
    randomised(BertForPreTraining(CONFIG)).save_pretrained(tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        BertForSequenceClassification.from_pretrained(tmp_path)
    assert len(caught) == 1
    message = str(caught[0].message)
    assert "newly initialised (not in the file, train them before use): classifier.weight, classifier.bias" in message
    assert "not used by BertForSequenceClassification: cls.predictions.bias" in message


def test_transformers_style_extras_are_ignored_quietly(tmp_path):
    """Old checkpoints store the tied decoder and the position_ids buffer; neither is a weight of ours."""
    model = randomised(BertForPreTraining(CONFIG))
    state = dict(model.state_dict())
    state["cls.predictions.decoder.weight"] = state["bert.embeddings.word_embeddings.weight"].clone()
    state["cls.predictions.decoder.bias"] = state["cls.predictions.bias"].clone()
    state["bert.embeddings.position_ids"] = torch.arange(16)[None]
    loaded = load_quietly(BertForPreTraining, write_checkpoint(tmp_path, state))
    torch.testing.assert_close(loaded(IDS).prediction_logits, model(IDS).prediction_logits, atol=0, rtol=0)


def test_shape_mismatch_names_the_key_and_both_shapes(tmp_path):
    write_checkpoint(tmp_path, BertModel(CONFIG).state_dict())
    with pytest.raises(ValueError, match=r"shape mismatch for embeddings\.word_embeddings\.weight: "
                                         r"the file model\.safetensors has \(50, 32\), the model expects \(60, 32\)"):
        BertModel.from_pretrained(tmp_path, vocab_size=60)


@pytest.mark.parametrize("content", ["truncated", "garbage"])
def test_unreadable_safetensors_file_is_a_clear_error(tmp_path, content):
    write_checkpoint(tmp_path, BertModel(CONFIG).state_dict())
    path = tmp_path / weights.SAFETENSORS_NAME
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if content == "truncated" else b"this is not a checkpoint")
    with pytest.raises(ValueError, match=rf"cannot read the weights file {path}"):
        BertModel.from_pretrained(tmp_path)


def test_missing_weights_file_and_foreign_checkpoint(tmp_path):
    CONFIG.save_pretrained(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"no model\.safetensors or pytorch_model\.bin in"):
        BertModel.from_pretrained(tmp_path)
    write_checkpoint(tmp_path, {"transformer.h.0.attn.c_attn.weight": torch.zeros(3, 3)})
    with pytest.raises(ValueError, match="none of the weights .* match BertModel"):
        BertModel.from_pretrained(tmp_path)


def test_saved_file_is_what_transformers_writes(tmp_path):
    model = BertForPreTraining(CONFIG)
    model.save_pretrained(tmp_path)
    with safe_open(tmp_path / weights.SAFETENSORS_NAME, "pt") as f:
        keys, metadata = set(f.keys()), f.metadata()
    assert metadata == {"format": "pt"}
    assert keys == set(model.state_dict())
    assert "cls.predictions.bias" in keys and not any("decoder" in k or "position_ids" in k for k in keys)
    assert not list(tmp_path.glob(".*tmp*"))


def test_save_is_atomic(tmp_path, monkeypatch):
    BertModel(CONFIG).save_pretrained(tmp_path)
    before = (tmp_path / weights.SAFETENSORS_NAME).read_bytes()

    def crash(fd):  # the new bytes are written, the machine dies before they reach the disk
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "fsync", crash)
    with pytest.raises(KeyboardInterrupt):
        randomised(BertModel(CONFIG)).save_pretrained(tmp_path)
    assert (tmp_path / weights.SAFETENSORS_NAME).read_bytes() == before
    assert not list(tmp_path.glob(".*tmp*"))  # and the half-written file is cleaned up


def test_minilm_short_name_into_a_pretraining_model():
    with pytest.warns(UserWarning, match="newly initialised") as caught:
        model = BertForPreTraining.from_pretrained("minilm")
    assert len(caught) == 1 and "not used" not in str(caught[0].message)  # MiniLM has no heads to drop
    encoder = load_quietly(BertModel, "minilm")
    ids = torch.tensor([[101, 1996, 4937, 2938, 102]])
    torch.testing.assert_close(model.bert(ids).last_hidden_state, encoder(ids).last_hidden_state, atol=0, rtol=0)
