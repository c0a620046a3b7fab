"""ALBERT's sentence-order pairs: consecutive segments of one document, swapped half the time."""
import random

from minibert.sentence_order import (
    IN_ORDER,
    SWAPPED,
    create_sop_instances_from_document,
    create_sop_pairs,
)

# Each sentence is a run of distinct ids, so a segment's ids tell where it came from.
DOCUMENTS = [[[100 * d + 10 * s + t for t in range(4)] for s in range(6)] for d in range(30)]


def test_pairs_are_consecutive_segments_of_one_document_in_either_order():
    pairs = create_sop_pairs(DOCUMENTS, max_seq_length=16, short_seq_prob=0.0, seed=0)
    assert pairs and {p.next_sentence_label for p in pairs} == {IN_ORDER, SWAPPED}
    for p in pairs:
        assert p.document_a == p.document_b
        assert all(t // 100 == p.document_a for t in p.tokens_a + p.tokens_b)
        first, second = (p.tokens_a, p.tokens_b) if p.next_sentence_label == IN_ORDER else (p.tokens_b, p.tokens_a)
        assert max(first) < min(second)  # the first segment comes before the second in the document
        assert len(p.tokens_a) + len(p.tokens_b) <= 16 - 3


def test_labels_are_balanced_over_many_documents():
    pairs = create_sop_pairs(DOCUMENTS * 10, max_seq_length=16, short_seq_prob=0.0, seed=1)
    swapped = sum(p.next_sentence_label == SWAPPED for p in pairs) / len(pairs)
    assert 0.4 < swapped < 0.6


def test_a_one_sentence_document_gives_no_pair_and_seeds_repeat():
    assert create_sop_instances_from_document([[[1, 2, 3]]], 0, 16, 0.0, random.Random(0)) == []
    assert create_sop_pairs(DOCUMENTS, 16, seed=3) == create_sop_pairs(DOCUMENTS, 16, seed=3)
