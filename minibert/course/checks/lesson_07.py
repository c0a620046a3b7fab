"""Lesson 07: masked language modeling."""
from __future__ import annotations

import random
from typing import Any

import torch

from minibert.config import BertConfig
from minibert.course.exercises import exercise, expect_function, learners_code
from minibert.heads import token_loss
from minibert.pretraining_data import IGNORE_INDEX, MaskingVocab, create_masked_lm_predictions

# A toy vocabulary: [PAD] [UNK] [CLS] [SEP] [MASK], then ordinary tokens.
_TOY = MaskingVocab(mask_token_id=4, special_ids=frozenset(range(5)), random_ids=tuple(range(5, 105)),
                    continuation_ids=frozenset())


def _chosen_for(n_tokens: int) -> int:
    """How many positions create_masked_lm_predictions chooses in [CLS] n tokens [SEP] [SEP] (defaults)."""
    ids = [2] + [5 + i % 100 for i in range(n_tokens)] + [3, 3]
    _, labels = create_masked_lm_predictions(ids, _TOY, random.Random(0))
    return sum(label != IGNORE_INDEX for label in labels)


def _whole_number(answer: Any) -> bool:
    return isinstance(answer, int) and not isinstance(answer, bool)


@exercise("07.1", "A sequence has 40 ordinary tokens plus [CLS] and two [SEP]. How many positions does "
                  "create_masked_lm_predictions choose with the default masked_lm_prob=0.15?")
def _how_many_chosen(answer: Any) -> str | None:
    if not _whole_number(answer):
        return "answer with a whole number of positions"
    return None if answer == _chosen_for(40) else "15% of the ordinary tokens only (never [CLS] or [SEP]), rounded"


@exercise("07.2", "How many parameters does weight tying save in BERT-large (BertConfig.from_preset('large'))?")
def _tying_saves(answer: Any) -> str | None:
    large = BertConfig.from_preset("large")
    if not _whole_number(answer):
        return "answer with a whole number of parameters"
    return None if answer == large.vocab_size * large.hidden_size else "the decoder would be one (V x H) matrix"


@exercise("07.3", "Write mlm_loss(logits, labels): logits (B, T, V), labels (B, T) with -100 where nothing is "
                  "predicted -> the mean cross-entropy over the labelled positions.")
def _mlm_loss(answer: Any) -> str | None:
    expect_function(answer, "mlm_loss(logits, labels)")
    generator = torch.Generator().manual_seed(0)
    for B, T, V in ((2, 7, 11), (3, 5, 50)):
        logits = torch.randn(B, T, V, generator=generator)
        labels = torch.randint(0, V, (B, T), generator=generator)
        labels[torch.rand(B, T, generator=generator) < 0.7] = IGNORE_INDEX
        labels[0, 0] = 1                                   # at least one labelled position
        with learners_code("mlm_loss"):
            got = torch.as_tensor(answer(logits, labels), dtype=torch.float32)
        if got.numel() != 1 or not torch.allclose(got.reshape(()), token_loss(logits, labels), atol=1e-5):
            return "average -log softmax(logits)[label] over the positions whose label is not -100 only"
    return None
