"""Rotary position embeddings: the relative-position property, and a model made rotary in place."""
import torch

from minibert.config import BertConfig
from minibert.modeling import BertModel
from minibert.rotary import apply_rotary, is_rotary, rotary_cos_sin, use_rotary


def test_rotation_keeps_lengths_and_scores_depend_only_on_the_offset():
    torch.manual_seed(0)
    d = 8
    q, k = torch.randn(d), torch.randn(d)
    cos, sin = rotary_cos_sin(500, d)  # (T, d): positions far past a 128-row table

    def score(m: int, n: int) -> torch.Tensor:
        return apply_rotary(q, cos[m], sin[m]) @ apply_rotary(k, cos[n], sin[n])

    torch.testing.assert_close(apply_rotary(q, cos[7], sin[7]).norm(), q.norm())
    for m, n in ((3, 0), (10, 2), (150, 140)):
        torch.testing.assert_close(score(m, n), score(m + 250, n + 250), atol=1e-4, rtol=1e-4)
    assert not torch.allclose(score(5, 0), score(6, 0))


def test_position_zero_is_no_rotation_and_odd_head_sizes_are_refused():
    cos, sin = rotary_cos_sin(1, 4)
    torch.testing.assert_close(cos, torch.ones(1, 4))
    torch.testing.assert_close(sin, torch.zeros(1, 4))
    try:
        rotary_cos_sin(4, 5)
    except ValueError as error:
        assert "even" in str(error)
    else:
        raise AssertionError("an odd head size must be refused")


def test_use_rotary_drops_the_table_and_rotates_queries_and_keys():
    torch.manual_seed(0)
    config = BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=64)
    model = BertModel(config, add_pooling_layer=False).eval()
    before = sum(p.numel() for p in model.parameters())
    use_rotary(model)
    assert is_rotary(model)
    assert before - sum(p.numel() for p in model.parameters()) == 64 * 16
    ids = torch.randint(5, 50, (2, 10))
    attention = model.encoder.layer[0].attention.self
    x = model.embeddings(ids)
    out = attention(x)
    cos, sin = rotary_cos_sin(10, attention.head_size)
    torch.testing.assert_close(out.queries, apply_rotary(attention.split_heads(attention.query(x)), cos, sin))
    assert model(ids).last_hidden_state.shape == (2, 10, 16)
