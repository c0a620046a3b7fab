"""ALBERT's sentence-order prediction (SOP): were two consecutive segments swapped? (lesson 19)

Lan et al. (2019) found next sentence prediction (NSP) too easy: a NotNext segment comes from another
document, usually about another topic, so "do A and B share words?" nearly solves it and the model learns
little about how a text goes on. SOP keeps the topic fixed. Both segments always come from the same
document, consecutive, as for an IsNext pair; half the time they are swapped:

    label 0 (in order): [CLS] A [SEP] B [SEP]        label 1 (swapped): [CLS] B [SEP] A [SEP]

Any rule that treats A and B alike (shared words, the topic, the bag of words of the pair) scores exactly
chance: the two orders have the same words. What is left to learn is order itself: who is introduced
before "he", a greeting before a farewell, the conclusion after its cause.

The segments are cut as in ``minibert.pretraining_data.create_instances_from_document`` (the same target
lengths, split points and truncation); a chunk of a single sentence has no second segment in its
document and gives no pair (ALBERT's code fills it with a random segment from another document, an NSP
leftover). The pairs are ``SegmentPair`` objects whose ``next_sentence_label`` is the order label, so the
same datasets, collators and ``BertForNextSentencePrediction`` head train either objective.
"""
from __future__ import annotations

import random
from typing import Sequence

from minibert.pretraining_data import (
    SegmentPair,
    TokenizedDocument,
    check_lengths,
    truncate_seq_pair,
)

IN_ORDER, SWAPPED = 0, 1


def create_sop_instances_from_document(documents: Sequence[TokenizedDocument], document_index: int,
                                       max_seq_length: int, short_seq_prob: float,
                                       rng: random.Random) -> list[SegmentPair]:
    """The sentence-order pairs of one document: consecutive segments, swapped with probability 1/2."""
    check_lengths(max_seq_length)
    document = documents[document_index]
    max_num_tokens = max_seq_length - 3  # [CLS], [SEP], [SEP]
    target_seq_length = max_num_tokens
    if rng.random() < short_seq_prob:
        target_seq_length = rng.randint(2, max_num_tokens)
    pairs: list[SegmentPair] = []
    chunk: list[list[int]] = []
    length = 0
    for i, sentence in enumerate(document):
        chunk.append(sentence)
        length += len(sentence)
        if i == len(document) - 1 or length >= target_seq_length:
            if len(chunk) >= 2:
                a_end = rng.randint(1, len(chunk) - 1)  # A: the first a_end sentences, B: the rest
                tokens_a = [t for s in chunk[:a_end] for t in s]
                tokens_b = [t for s in chunk[a_end:] for t in s]
                truncate_seq_pair(tokens_a, tokens_b, max_num_tokens, rng)
                label = SWAPPED if rng.random() < 0.5 else IN_ORDER
                if label == SWAPPED:
                    tokens_a, tokens_b = tokens_b, tokens_a
                pairs.append(SegmentPair(tokens_a, tokens_b, label, document_index, document_index))
            chunk, length = [], 0
    return pairs


def create_sop_pairs(documents: Sequence[TokenizedDocument], max_seq_length: int = 128,
                     short_seq_prob: float = 0.1, seed: int = 12345) -> list[SegmentPair]:
    """Sentence-order pairs of every document, shuffled (one pass, like ``dupe_factor=1``)."""
    rng = random.Random(seed)
    pairs = [pair for index in range(len(documents))
             for pair in create_sop_instances_from_document(documents, index, max_seq_length, short_seq_prob, rng)]
    rng.shuffle(pairs)
    return pairs
