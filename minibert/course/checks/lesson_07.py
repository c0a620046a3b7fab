"""Lesson 07: masked language modeling."""
from __future__ import annotations

import functools
import random
from typing import Any

import torch

from minibert.config import BertConfig
from minibert.course.corpus import course_corpus, course_vocab_dir
from minibert.course.exercises import Hint, exercise, expect_function, learners_code
from minibert.heads import token_loss
from minibert.pretraining_data import (
    IGNORE_INDEX,
    MaskingVocab,
    build_pretraining_dataset,
    create_masked_lm_predictions,
)
from minibert.tokenizer import BertTokenizer

# A toy vocabulary: [PAD] [UNK] [CLS] [SEP] [MASK], then ordinary tokens.
_TOY = MaskingVocab(mask_token_id=4, special_ids=frozenset(range(5)), random_ids=tuple(range(5, 105)),
                    continuation_ids=frozenset())
PAIR = (25, 29)  # tokens in A and in B (exercise 07.1)
RATE = 0.25      # the mask rate of the experiment (exercise 07.4)


def _chosen_for(n_a: int, n_b: int) -> int:
    """How many positions create_masked_lm_predictions chooses in [CLS] A [SEP] B [SEP] (defaults)."""
    ids = [2] + [5 + i % 100 for i in range(n_a)] + [3] + [5 + i % 100 for i in range(n_b)] + [3]
    _, labels = create_masked_lm_predictions(ids, _TOY, random.Random(0))
    return sum(label != IGNORE_INDEX for label in labels)


def _whole_number(answer: Any) -> bool:
    return isinstance(answer, int) and not isinstance(answer, bool)


@exercise("07.1", f"A pair [CLS] A [SEP] B [SEP] has {PAIR[0]} tokens in A and {PAIR[1]} in B. How many positions "
                  "does create_masked_lm_predictions choose with the defaults (masked_lm_prob=0.15)?")
def _how_many_chosen(answer: Any) -> str | None:
    if not _whole_number(answer):
        return "answer with a whole number of positions"
    if answer == _chosen_for(*PAIR):
        return None
    if answer == round(0.15 * sum(PAIR)):
        return "Google counts the 15% over the WHOLE sequence: [CLS] and both [SEP] count (they are never chosen)"
    return "15% of every token of the pair, special tokens included, rounded to the nearest whole number"


@exercise("07.2", "How many parameters does weight tying save in BERT-large (BertConfig.from_preset('large'))?")
def _tying_saves(answer: Any) -> str | None:
    large = BertConfig.from_preset("large")
    if not _whole_number(answer):
        return "answer with a whole number of parameters"
    if answer == large.vocab_size * large.hidden_size:
        return None
    if answer == 2 * large.vocab_size * large.hidden_size:
        return "tying shares ONE matrix: without it there would be one more (V x H) matrix, not two"
    return "the decoder would be one (V x H) matrix: vocabulary size times BERT-large's hidden size"


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


@functools.lru_cache(maxsize=None)
def _counts(rate: float) -> tuple[int, int]:
    """(chosen positions, tokens) of lesson 07's dataset built with masked_lm_prob=rate."""
    tokenizer = BertTokenizer.from_pretrained(course_vocab_dir())
    dataset = build_pretraining_dataset(course_corpus("train")[:600], tokenizer, max_seq_length=128, seed=0,
                                        masked_lm_prob=rate)
    chosen = sum(label != IGNORE_INDEX for example in dataset for label in example["labels"])
    return chosen, sum(len(example["input_ids"]) for example in dataset)


@exercise("07.4", f"Experiment: build lesson 07's section 2 dataset again with masked_lm_prob={RATE} (the first 600 "
                  "training documents, max_seq_length=128, seed=0). How many positions are chosen in all?",
          experiment=True)
def _chosen_at_another_rate(answer: Any) -> str | None:
    if not _whole_number(answer):
        raise Hint("answer with a whole number of positions (count the labels that are not -100)")
    chosen, tokens = _counts(RATE)
    if answer == chosen:
        return None
    if abs(answer - RATE * tokens) <= 0.01 * tokens:
        raise Hint(f"not {RATE:.0%} of the tokens: count the chosen positions. What does max_predictions_per_seq=20 do "
                   "to a sequence of 128 tokens?")
    if answer == _counts(0.15)[0]:
        raise Hint(f"that is the count at 15%: build the dataset with masked_lm_prob={RATE}")
    return "build the dataset, then count the labels that are not -100 over every example"
