"""Dynamic int8 quantization: the written-out arithmetic matches PyTorch's, and the model gets smaller."""
import pytest
import torch
from torch import nn

from minibert import BertConfig, BertForSequenceClassification
from minibert.quantization import (Int8Linear, linear_share, quantize_activation, quantize_linears, quantize_weight,
                                   serialized_bytes, torch_dynamic_int8)


def test_weights_round_trip_within_half_a_step():
    torch.manual_seed(0)
    w = torch.randn(16, 8)
    q, scale = quantize_weight(w)
    assert q.dtype == torch.int8 and int(q.abs().max()) <= 128
    assert (q.float() * scale - w).abs().max() <= scale / 2 + 1e-7


def test_activations_use_seven_bits_and_keep_zero_exact():
    x = torch.tensor([-1.0, 0.0, 0.5, 3.0])
    q, scale, zero = quantize_activation(x)
    assert q.min() >= 0 and q.max() <= 127
    assert (q[1] - zero) * scale == 0  # zero is a grid point: padding and ReLU zeros stay exactly zero
    assert ((q - zero) * scale - x).abs().max() <= scale / 2 + 1e-6


def test_our_int8_linear_is_pytorchs_weights_and_close_to_its_output():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 32))
    x = torch.randn(3, 5, 64)
    ours, theirs = quantize_linears(model), torch_dynamic_int8(model)
    assert isinstance(ours[0], Int8Linear)
    assert torch.equal(ours[0].weight_q, theirs[0].weight().int_repr())
    error = (model(x) - theirs(x)).abs().max()
    assert (ours(x) - theirs(x)).abs().max() < 0.2 * error  # the same scheme: far closer than to fp32


def test_a_quantized_bert_is_smaller_and_agrees_with_fp32(one_thread):
    torch.manual_seed(0)
    model = BertForSequenceClassification(BertConfig.from_preset("mini", vocab_size=100)).eval()
    ids = torch.randint(5, 100, (4, 12))
    int8 = torch_dynamic_int8(model)
    assert serialized_bytes(int8) < 0.5 * serialized_bytes(model)  # most of this model is Linear weights
    assert linear_share(model) > 0.9
    assert torch.equal(int8(ids).logits.argmax(-1), model(ids).logits.argmax(-1))
    assert next(model.parameters()).dtype == torch.float32  # the original is untouched
    torch.testing.assert_close(quantize_linears(model)(ids).logits, int8(ids).logits, atol=0.05, rtol=0)


def test_int8_linear_without_bias():
    torch.manual_seed(0)
    layer = nn.Linear(8, 4, bias=False)
    x = torch.randn(2, 8)
    assert Int8Linear.from_float(layer)(x).shape == (2, 4)
    assert "int8" in repr(Int8Linear.from_float(layer))
    with pytest.raises(AttributeError):
        Int8Linear.from_float(layer).weight  # no float weight is kept
