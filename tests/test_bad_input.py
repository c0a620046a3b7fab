"""Bad input gets a ValueError that names the problem, never an opaque index error or a wrong answer."""
from __future__ import annotations

import pytest
import torch

from minibert.config import BertConfig
from minibert.heads import BertForMultipleChoice, BertForPreTraining
from minibert.modeling import BertModel

CONFIG = BertConfig(vocab_size=40, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                    intermediate_size=32, max_position_embeddings=8, type_vocab_size=2)


@pytest.fixture(scope="module")
def model() -> BertModel:
    return BertModel(CONFIG).eval()


def ids(B: int = 2, T: int = 5) -> torch.Tensor:
    return torch.randint(0, CONFIG.vocab_size, (B, T))


def test_sequence_longer_than_the_position_table(model):
    with pytest.raises(ValueError, match=r"sequence length 9 is longer than max_position_embeddings \(8\)"):
        model(ids(T=9))
    model(ids(T=8))  # exactly the limit is fine


@pytest.mark.parametrize("bad", [-1, 40, 1000])
def test_token_id_outside_the_vocabulary(model, bad):
    x = ids()
    x[1, 3] = bad
    with pytest.raises(ValueError, match=rf"input_ids contains {bad}, outside \[0, 40\) \(vocab_size = 40\)"):
        model(x)


@pytest.mark.parametrize("bad", [-1, 2])
@pytest.mark.parametrize("name,allowed", [("token_type_ids", r"type_vocab_size = 2"),
                                          ("attention_mask", r"1 = token, 0 = padding")])
def test_segment_ids_and_mask_outside_their_range(model, name, allowed, bad):
    values = torch.ones(2, 5, dtype=torch.long)  # valid for both: segment B / a real token everywhere
    values[1, 2] = bad
    with pytest.raises(ValueError, match=rf"{name} contains {bad}, outside \[0, 2\) \({allowed}\)"):
        model(ids(), **{name: values})


def test_a_mask_without_padding_is_the_same_as_no_mask(model):
    x = ids()
    expected = model(x).last_hidden_state
    for mask in (torch.ones(2, 5, dtype=torch.long), torch.ones(2, 5, dtype=torch.bool)):
        torch.testing.assert_close(model(x, attention_mask=mask).last_hidden_state, expected)
    padded = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]])
    out = model(x, attention_mask=padded).last_hidden_state
    torch.testing.assert_close(out[0], expected[0])
    torch.testing.assert_close(out[1, :3], model(x[1:, :3]).last_hidden_state[0])  # the padding is masked


@pytest.mark.parametrize("name,shape", [("attention_mask", (2, 4)), ("attention_mask", (5,)),
                                        ("attention_mask", (2, 1, 5)), ("token_type_ids", (1, 5))])
def test_mask_or_segments_of_the_wrong_shape(model, name, shape):
    with pytest.raises(ValueError, match=rf"{name} must have the shape of input_ids \(2, 5\), got"):
        model(ids(), **{name: torch.ones(shape, dtype=torch.long)})


def test_hidden_size_not_divisible_by_heads():
    with pytest.raises(ValueError, match=r"hidden_size \(30\) is not divisible by num_attention_heads \(4\)"):
        BertConfig(hidden_size=30, num_attention_heads=4)


@pytest.mark.parametrize("shape", [(0, 5), (2, 0)])
def test_empty_batch(model, shape):
    with pytest.raises(ValueError, match="empty batch"):
        model(torch.zeros(shape, dtype=torch.long))


@pytest.mark.parametrize("shape", [(5,), (1, 2, 5)])
def test_wrong_input_rank(model, shape):
    with pytest.raises(ValueError, match=r"input_ids must be a 2-D tensor \(batch, seq_len\)"):
        model(torch.zeros(shape, dtype=torch.long))


def test_float_ids_and_non_tensors(model):
    with pytest.raises(ValueError, match="integer token ids"):
        model(torch.zeros(2, 5))
    with pytest.raises(ValueError, match="2-D tensor"):
        model([[1, 2, 3]])


def test_heads_check_too():
    with pytest.raises(ValueError, match="vocab_size"):
        BertForPreTraining(CONFIG)(torch.full((1, 3), 40))
    with pytest.raises(ValueError, match=r"\(batch, choices, seq_len\)"):
        BertForMultipleChoice(CONFIG)(ids())
