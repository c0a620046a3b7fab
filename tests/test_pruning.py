"""Head pruning: masking a head and deleting it give the same model; ablation ranks the heads."""
import copy

import pytest
import torch

from minibert import BertConfig, BertForSequenceClassification
from minibert.pruning import ablation_losses, all_heads, heads_per_layer, masked_heads, prune_heads, pruning_order


@pytest.fixture
def model():
    torch.manual_seed(0)
    return BertForSequenceClassification(BertConfig.from_preset("mini", vocab_size=100)).eval()


@pytest.fixture
def batch():
    torch.manual_seed(1)
    mask = torch.ones(3, 12, dtype=torch.long)
    mask[1, 7:] = 0
    return {"input_ids": torch.randint(5, 100, (3, 12)), "attention_mask": mask}


@pytest.mark.parametrize("heads", [[(0, 1)], [(2, 0), (2, 3)], [(1, 0), (1, 1), (1, 2), (1, 3)], [(0, 3), (3, 2)]])
def test_pruning_equals_masking(model, batch, heads):
    with masked_heads(model, heads):
        masked = model(**batch).logits
    full = model(**batch).logits
    assert not torch.allclose(masked, full)  # the hooks are gone after the block
    pruned = prune_heads(copy.deepcopy(model), heads)
    torch.testing.assert_close(pruned(**batch).logits, masked)
    torch.testing.assert_close(pruned(**batch, output_attentions=True).logits, masked, atol=1e-5, rtol=1e-5)


def test_pruned_model_is_smaller_and_counts_its_heads(model):
    before = model.num_parameters()
    prune_heads(model, [(0, 0), (0, 1), (3, 3)])
    assert heads_per_layer(model) == [2, 4, 4, 3]
    d, H = 64, 256
    assert before - model.num_parameters() == 3 * (3 * (H * d + d) + d * H)  # Q, K, V rows and W_O columns
    assert len(all_heads(model)) == 13
    with pytest.raises(ValueError, match="cannot prune"):
        prune_heads(model, [(0, 2)])  # layer 0 has heads 0 and 1 now


def test_a_pruned_model_still_trains(model, batch):
    prune_heads(model, [(1, 2)])
    model.train()
    model(**batch, labels=torch.tensor([0, 1, 0])).loss.backward()
    assert model.bert.encoder.layer[1].attention.self.query.weight.grad.shape == (192, 256)


def test_ablation_ranks_heads_by_the_loss_without_them(model, batch):
    labels = torch.tensor([0, 1, 1])
    losses = ablation_losses(model, lambda m: m(**batch, labels=labels).loss, heads=[(0, 0), (1, 1), (2, 2)])
    assert set(losses) == {(0, 0), (1, 1), (2, 2)}
    order = pruning_order(losses)
    assert [losses[h] for h in order] == sorted(losses.values())
    assert pruning_order({(1, 0): 0.5, (0, 1): 0.5}) == [(0, 1), (1, 0)]
