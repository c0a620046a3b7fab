"""The model's own properties: sizes, attention paths, masks, tying, initialisation, sparse MLM."""
from __future__ import annotations

import math
import warnings

import pytest
import torch
import torch.nn.functional as F

from minibert.attention import padding_mask, scaled_dot_product_attention
from minibert.config import BertConfig
from minibert.heads import (
    BertForMultipleChoice,
    BertForPreTraining,
    BertForQuestionAnswering,
    BertForSequenceClassification,
)
from minibert.modeling import BertModel

TINY = dict(vocab_size=50, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
            max_position_embeddings=16)


def tiny(**overrides) -> BertConfig:
    return BertConfig(**{**TINY, **overrides})


def batch(B: int = 3, T: int = 9, lengths=(9, 5, 2), seed: int = 0) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    mask = (torch.arange(T)[None] < torch.tensor(lengths)[:, None]).long()
    return dict(input_ids=torch.randint(1, TINY["vocab_size"], (B, T), generator=g),
                token_type_ids=(torch.arange(T) >= T // 2).long().expand(B, -1),
                attention_mask=mask)


@pytest.mark.parametrize("preset,encoder,pretraining", [
    ("base", 109_482_240, 110_106_428),
    ("large", 335_141_888, 336_226_108),
])
def test_parameter_counts_of_google_sizes(preset, encoder, pretraining):
    with torch.device("meta"):  # real modules, no memory
        config = BertConfig.from_preset(preset)
        assert BertModel(config).num_parameters() == encoder
        assert BertForPreTraining(config).num_parameters() == pretraining


def test_explicit_attention_equals_pytorch_sdpa():
    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(2, 3, 5, 8, generator=g) for _ in range(3))
    mask = padding_mask(torch.tensor([[1, 1, 1, 1, 1], [1, 1, 0, 0, 0]]), torch.float32)
    context, probs = scaled_dot_product_attention(q, k, v, mask)
    torch.testing.assert_close(context, F.scaled_dot_product_attention(q, k, v, attn_mask=mask))
    torch.testing.assert_close(probs.sum(-1), torch.ones(2, 3, 5))
    assert probs[1, :, :, 2:].max() == 0  # padding keys get no attention


def test_model_sdpa_path_equals_explicit_path():
    model = BertForPreTraining(tiny()).eval()
    inputs = batch()
    fast, explicit = model(**inputs), model(**inputs, output_attentions=True)
    assert fast.attentions is None and len(explicit.attentions) == 2
    torch.testing.assert_close(fast.prediction_logits, explicit.prediction_logits, atol=1e-6, rtol=0)
    torch.testing.assert_close(fast.seq_relationship_logits, explicit.seq_relationship_logits, atol=1e-6, rtol=0)


def test_padding_mask_shape_and_fully_padded_row_is_finite():
    mask = padding_mask(torch.tensor([[1, 0], [0, 0]]), torch.bfloat16)
    assert mask.shape == (2, 1, 1, 2) and mask.dtype == torch.bfloat16
    assert mask[0, 0, 0, 0] == 0 and mask[0, 0, 0, 1] == torch.finfo(torch.bfloat16).min
    model = BertModel(tiny()).eval()
    inputs = dict(input_ids=torch.tensor([[5, 6, 7], [8, 9, 10]]), attention_mask=torch.tensor([[1, 1, 0], [0, 0, 0]]))
    for flag in (False, True):
        out = model(**inputs, output_attentions=flag)
        assert torch.isfinite(out.last_hidden_state).all()


def test_padding_does_not_change_the_real_tokens():
    model = BertModel(tiny()).eval()
    inputs = batch()
    with torch.no_grad():
        padded = model(**inputs).last_hidden_state
        alone = model(**{k: v[1:2, :5] for k, v in inputs.items()}).last_hidden_state
    torch.testing.assert_close(padded[1:2, :5], alone, atol=1e-5, rtol=0)


def test_hidden_states_attentions_queries_and_keys():
    config = tiny()
    model = BertModel(config).eval()
    inputs = batch()
    out = model(**inputs, output_hidden_states=True, output_attentions=True, output_attention_inputs=True)
    L, (B, T), A, d = config.num_hidden_layers, inputs["input_ids"].shape, config.num_attention_heads, config.head_size
    assert len(out.hidden_states) == L + 1 and len(out.attentions) == L
    torch.testing.assert_close(out.hidden_states[0], model.embeddings(inputs["input_ids"], inputs["token_type_ids"]))
    assert out.hidden_states[-1] is out.last_hidden_state
    assert all(a.shape == (B, A, T, T) for a in out.attentions)
    assert len(out.attention_queries) == len(out.attention_keys) == L
    for layer, h, q, k in zip(model.encoder.layer, out.hidden_states, out.attention_queries, out.attention_keys):
        assert q.shape == k.shape == (B, A, T, d)
        torch.testing.assert_close(q, layer.attention.self.query(h).view(B, T, A, d).transpose(1, 2))
        torch.testing.assert_close(k, layer.attention.self.key(h).view(B, T, A, d).transpose(1, 2))
    plain = model(**inputs)
    assert plain.hidden_states is plain.attentions is plain.attention_queries is None


def test_output_is_indexable_by_name():
    out = BertModel(tiny())(**batch())
    assert out["last_hidden_state"] is out.last_hidden_state
    assert out["pooler_output"].shape == (3, 32)
    with pytest.raises(KeyError, match="no field 'logits'"):
        out["logits"]


def test_default_token_types_are_segment_a():
    model = BertModel(tiny()).eval()
    ids = batch()["input_ids"]
    torch.testing.assert_close(model(ids).last_hidden_state,
                               model(ids, token_type_ids=torch.zeros_like(ids)).last_hidden_state)


def test_dropout_only_in_training_and_a_zero_rate_is_a_no_op():
    model = BertModel(tiny())
    inputs = batch()
    model.train()
    torch.manual_seed(0)
    a = model(**inputs).last_hidden_state
    b = model(**inputs).last_hidden_state
    assert not torch.allclose(a, b)
    model.eval()
    torch.testing.assert_close(model(**inputs).last_hidden_state, model(**inputs).last_hidden_state, atol=0, rtol=0)
    no_dropout = BertModel(tiny(hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0))
    no_dropout.load_state_dict(model.state_dict())
    torch.testing.assert_close(no_dropout.train()(**inputs).last_hidden_state, model(**inputs).last_hidden_state)


def test_initialisation_follows_transformers():
    torch.manual_seed(0)
    model = BertForPreTraining(BertConfig.from_preset("mini", vocab_size=2000))
    emb = model.bert.embeddings.word_embeddings.weight
    assert emb[model.config.pad_token_id].abs().max() == 0  # [PAD] row starts at zero
    dense = model.bert.encoder.layer[0].intermediate.dense
    assert abs(dense.weight.std().item() - 0.02) < 0.002 and dense.bias.abs().max() == 0
    assert abs(model.cls.predictions.transform.dense.weight.std().item() - 0.02) < 0.002
    ln = model.bert.encoder.layer[1].output.LayerNorm
    assert (ln.weight == 1).all() and (ln.bias == 0).all()
    assert (model.cls.predictions.bias == 0).all()


def test_mlm_decoder_is_tied_to_the_word_embeddings():
    model = BertForPreTraining(tiny())
    names = [n for n, _ in model.named_parameters()]
    assert not any("decoder" in n for n in names)  # no second (V, H) matrix
    labels = torch.full((3, 9), -100)
    labels[0, 3] = 7
    out = model(**batch(), labels=labels)
    out.loss.backward()
    word_grad = model.bert.embeddings.word_embeddings.weight.grad
    assert word_grad[7].abs().sum() > 0 and word_grad[11].abs().sum() > 0  # scored words get gradient via E^T


def test_sparse_mlm_gives_the_full_loss_and_gradients():
    torch.manual_seed(0)
    model = BertForPreTraining(tiny()).eval()
    inputs = batch()
    labels = torch.full((3, 9), -100)
    labels[0, [1, 4]] = torch.tensor([3, 9])
    labels[1, 2] = 17
    nsp = torch.tensor([0, 1, 0])
    full = model(**inputs, labels=labels, next_sentence_label=nsp)
    full_grads = torch.autograd.grad(full.loss, list(model.parameters()))
    sparse = model(**inputs, labels=labels, next_sentence_label=nsp, sparse_mlm=True)
    sparse_grads = torch.autograd.grad(sparse.loss, list(model.parameters()))
    assert sparse.masked_prediction_logits.shape == (3, 50) and sparse.prediction_logits is None  # (n_masked, V)
    torch.testing.assert_close(sparse.masked_prediction_logits, full.prediction_logits[labels != -100])
    torch.testing.assert_close(sparse.loss, full.loss)
    torch.testing.assert_close(full.loss, full.masked_lm_loss + full.next_sentence_loss)
    for a, b in zip(sparse_grads, full_grads):
        torch.testing.assert_close(a, b, atol=1e-6, rtol=1e-5)


def test_pretraining_loss_with_only_one_objective():
    model = BertForPreTraining(tiny()).eval()
    nsp = torch.tensor([0, 1, 0])
    out = model(**batch(), next_sentence_label=nsp)
    torch.testing.assert_close(out.loss, F.cross_entropy(out.seq_relationship_logits, nsp))
    assert out.masked_lm_loss is None and model(**batch()).loss is None


def test_question_answering_loss_is_the_mean_of_start_and_end():
    model = BertForQuestionAnswering(tiny()).eval()
    start, end = torch.tensor([1, 2, 0]), torch.tensor([3, 2, 1])
    out = model(**batch(), start_positions=start, end_positions=end)
    expected = (F.cross_entropy(out.start_logits, start) + F.cross_entropy(out.end_logits, end)) / 2
    torch.testing.assert_close(out.loss, expected)


def test_sequence_regression_and_multiple_choice_shapes():
    regression = BertForSequenceClassification(tiny(num_labels=1)).eval()
    target = torch.tensor([0.5, -1.0, 2.0])
    out = regression(**batch(), labels=target)
    assert out.logits.shape == (3, 1)
    torch.testing.assert_close(out.loss, F.mse_loss(out.logits.squeeze(-1), target))
    choice = BertForMultipleChoice(tiny()).eval()
    inputs = {k: torch.stack([v, v, v.flip(0), v], dim=1) for k, v in batch().items()}  # (B, C=4, T)
    out = choice(**inputs, labels=torch.tensor([0, 3, 2]))
    assert out.logits.shape == (3, 4)
    torch.testing.assert_close(out.logits[:, 0], out.logits[:, 1])  # identical choices, identical scores


def test_save_and_load_round_trip(tmp_path):
    model = BertForPreTraining(tiny()).eval()
    model.save_pretrained(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.json", "model.safetensors"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = BertForPreTraining.from_pretrained(tmp_path)
    assert loaded.config.architectures == ["BertForPreTraining"]
    inputs = batch()
    torch.testing.assert_close(loaded(**inputs).prediction_logits, model(**inputs).prediction_logits, atol=0, rtol=0)


def test_from_pretrained_config_overrides_make_a_new_head(tmp_path):
    BertModel(tiny()).save_pretrained(tmp_path)
    with pytest.warns(UserWarning, match="newly initialised"):
        model = BertForSequenceClassification.from_pretrained(tmp_path, num_labels=3)
    assert model.classifier.weight.shape == (3, 32) and not model.training


def test_one_attention_module_serves_cross_attention():
    """Keys and values from encoder_hidden_states, queries from x: softmax(x W_Q (m W_K)^T / sqrt(d) + mask) m W_V."""
    from minibert.attention import BertSelfAttention

    torch.manual_seed(0)
    attention = BertSelfAttention(tiny()).eval()
    x, memory = torch.randn(2, 3, 32), torch.randn(2, 5, 32)  # 3 target tokens read 5 source tokens
    memory_mask = padding_mask(torch.tensor([[1, 1, 1, 1, 0], [1, 1, 1, 1, 1]]), torch.float32)
    out = attention(x, memory_mask, output_attentions=True, encoder_hidden_states=memory)
    q = attention.split_heads(attention.query(x))
    k, v = attention.split_heads(attention.key(memory)), attention.split_heads(attention.value(memory))
    probs = ((q @ k.transpose(-2, -1)) / math.sqrt(q.size(-1)) + memory_mask).softmax(-1)  # (B, A, 3, 5)
    torch.testing.assert_close(out.probs, probs)
    torch.testing.assert_close(out.context, (probs @ v).transpose(1, 2).reshape(2, 3, 32))
    assert out.probs[0, :, :, 4].max() < 1e-6  # the padded source token gets no attention
    fast = attention(x, memory_mask, encoder_hidden_states=memory).context  # the SDPA path agrees
    torch.testing.assert_close(fast, out.context, atol=1e-6, rtol=0)
