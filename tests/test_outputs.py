"""Hugging Face semantics where minibert uses Hugging Face's names: outputs, BatchEncoding.to, compiled graphs."""
from __future__ import annotations

import pytest
import torch
import transformers

from minibert import heads
from minibert.config import BertConfig
from minibert.modeling import BertModel, set_input_checks
from minibert.tokenizer import BertTokenizer

CONFIG = dict(vocab_size=60, hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=32,
              max_position_embeddings=32)
IDS = torch.tensor([[2, 7, 9, 11, 3, 0], [2, 5, 6, 3, 8, 3]])
MASK = torch.tensor([[1, 1, 1, 1, 1, 0], [1, 1, 1, 1, 1, 1]])
CLASSES = ["BertModel", "BertForPreTraining", "BertForMaskedLM", "BertForNextSentencePrediction",
           "BertForSequenceClassification", "BertForTokenClassification", "BertForQuestionAnswering",
           "BertForMultipleChoice"]


def labels_for(name: str) -> dict[str, torch.Tensor]:
    mlm = torch.full_like(IDS, -100)
    mlm[:, 2] = IDS[:, 2]
    return {"BertModel": {}, "BertForPreTraining": {"labels": mlm, "next_sentence_label": torch.tensor([0, 1])},
            "BertForMaskedLM": {"labels": mlm}, "BertForNextSentencePrediction": {"labels": torch.tensor([0, 1])},
            "BertForSequenceClassification": {"labels": torch.tensor([1, 0])},
            "BertForTokenClassification": {"labels": torch.zeros_like(IDS)},
            "BertForQuestionAnswering": {"start_positions": torch.tensor([1, 2]), "end_positions": torch.tensor([2, 3])},
            "BertForMultipleChoice": {"labels": torch.tensor([1])}}[name]


def inputs_for(name: str) -> dict[str, torch.Tensor]:
    if name == "BertForMultipleChoice":  # one question with two choices: (B, C, T)
        return {"input_ids": IDS[None], "attention_mask": MASK[None]}
    return {"input_ids": IDS, "attention_mask": MASK}


@pytest.mark.parametrize("name", CLASSES)
@pytest.mark.parametrize("with_labels", [False, True])
def test_outputs_have_transformers_class_names_fields_and_positions(name, with_labels):
    torch.manual_seed(0)
    ours = getattr(heads, name, None) or BertModel
    ours = ours(BertConfig(**CONFIG)).eval()
    theirs = getattr(transformers, name)(transformers.BertConfig(**CONFIG, attn_implementation="eager")).eval()
    extra = labels_for(name) if with_labels else {}
    if name == "BertModel" and with_labels:
        pytest.skip("BertModel takes no labels")
    with torch.no_grad():
        a, b = ours(**inputs_for(name), **extra), theirs(**inputs_for(name), **extra)
    # minibert's BertModel is never a decoder: transformers' output class without the cross-attentions.
    expected_class = "BaseModelOutputWithPooling" if name == "BertModel" else type(b).__name__
    assert type(a).__name__ == expected_class
    n = len(b.keys())
    assert a.keys()[:n] == list(b.keys())                                    # same fields set, same order ...
    assert set(a.keys()[n:]) <= {"masked_lm_loss", "next_sentence_loss"}     # ... then minibert's extras
    assert len(a.to_tuple()[:n]) == len(b.to_tuple())
    assert torch.equal(a[0], a.to_tuple()[0]) and a[0] is getattr(a, a.keys()[0])
    assert a[0].shape == b[0].shape and a[n - 1].shape == b[-1].shape
    with pytest.raises(KeyError, match="hidden_states"):
        a["hidden_states"]                                                   # not asked for: not set, as in transformers


def test_sparse_mlm_scores_have_a_name_of_their_own():
    torch.manual_seed(0)
    model = heads.BertForPreTraining(BertConfig(**CONFIG)).eval()
    extra = labels_for("BertForPreTraining")
    out = model(**inputs_for("BertForPreTraining"), **extra, sparse_mlm=True)
    assert out.prediction_logits is None and "prediction_logits" not in out
    assert out.masked_prediction_logits.shape == (2, 60)                     # (n_masked, V)


def test_batch_encoding_moves_its_tensors():
    tok = BertTokenizer.from_pretrained("minilm")
    enc = tok(["a cat", "the dog sat"], padding=True, return_tensors="pt", return_word_ids=True).to("meta")
    assert enc["input_ids"].device.type == "meta" and enc.attention_mask.device.type == "meta"
    assert enc["word_ids"][0][0] is None                                     # lists are left as they are
    assert tok("a cat").to("cpu")["input_ids"] == tok("a cat")["input_ids"]


def test_pretraining_forward_and_backward_compile_into_one_graph():
    """No host copy and no data-dependent shape on the training path: torch.compile(fullgraph=True) works
    with a padding mask, MLM labels and NSP labels, for the full and the sparse MLM head."""
    torch.manual_seed(0)
    model = heads.BertForPreTraining(BertConfig(**CONFIG)).train()
    extra = labels_for("BertForPreTraining")
    expected = model(**inputs_for("BertForPreTraining"), **extra).loss
    for sparse in (False, True):
        torch._dynamo.reset()
        compiled = torch.compile(model, fullgraph=True, backend="aot_eager")  # fullgraph: a break is an error
        torch.manual_seed(1)
        loss = compiled(**inputs_for("BertForPreTraining"), **extra, sparse_mlm=sparse).loss
        loss.backward()
        assert all(p.grad is not None for p in model.cls.predictions.parameters())
        model.zero_grad()
        assert torch.isfinite(loss) and loss.shape == expected.shape
    torch._dynamo.reset()


def test_value_checks_can_be_forced_and_skipped():
    model = BertModel(BertConfig(**CONFIG)).eval()
    bad = IDS.clone()
    bad[0, 0] = 99
    with pytest.raises(ValueError, match="input_ids contains 99"):
        model(bad)                                                           # CPU, eager: checked for free
    try:
        set_input_checks("never")
        with pytest.raises(IndexError):
            model(bad)                                                       # unchecked: torch's own error
        with pytest.raises(ValueError, match="input checks must be one of"):
            set_input_checks("sometimes")
    finally:
        set_input_checks("auto")
