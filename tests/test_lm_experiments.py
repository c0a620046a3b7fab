"""The experiments of lessons 07-09: their parts, and that each stored file is what its module's settings say."""
from __future__ import annotations

import random

import pytest
import torch

from minibert.course import experiments
from minibert.course.baselines_lm import BlankGuessers
from minibert.course.experiments import mlm_directions, nsp_pairs, real_text
from minibert.pretraining_data import NOT_NEXT


def test_the_left_only_mask_hides_the_future():
    bias = mlm_directions.attention_bias(torch.ones(1, 4), left_only=True)[0, 0]
    assert ((bias == 0) == torch.ones(4, 4, dtype=torch.bool).tril()).all()
    assert (mlm_directions.attention_bias(torch.ones(1, 4), left_only=False) == 0).all()


def test_blank_groups_by_position_and_by_the_neighbour_that_gives_the_answer():
    cls, sep = 2, 3
    # after 10 comes 77 more often than 11; before 12 comes only 11; before [SEP] 77 more often than 12
    train = [[cls, 10, 77, sep], [cls, 10, 77, sep], [cls, 10, 11, 12, sep]]
    guessers = BlankGuessers.fit(train, {0, 1, 2, 3, 4})
    (row,) = mlm_directions.blank_groups([[cls, 10, 11, 12, sep]], guessers)
    where = dict(row)
    assert where[1] == {"start"} and where[2] == {"start", "right gives it"} and where[3] == {"end", "left gives it"}
    accuracy = mlm_directions.group_accuracy([[True, False, True]], [row])
    assert accuracy["start"] == 0.5 and accuracy["right gives it"] == 0.0 and accuracy["left gives it"] == 1.0


def test_the_buggy_pairs_take_their_not_next_text_from_the_same_document():
    docs = [[[1000 * d + s for _ in range(3)] for s in range(6)] for d in range(5)]
    for pair in nsp_pairs.make_pairs(docs, buggy=True, seed=0, max_seq_length=16):
        assert len({t // 1000 for t in pair.tokens_a + pair.tokens_b}) == 1
    correct = nsp_pairs.make_pairs(docs, buggy=False, seed=0, max_seq_length=16)
    assert any(p.next_sentence_label == NOT_NEXT and {t // 1000 for t in p.tokens_b} != {p.document_a} for p in correct)


def test_documents_are_held_out_by_their_first_sentence():
    rng = random.Random(0)
    documents = [[f"Sentence {rng.random()} of document {d}.", "Another one."] for d in range(200)]
    train, held_out = real_text.split_documents(documents)
    assert len(train) + len(held_out) == 200 and 5 < len(held_out) < 40
    again_train, again_held = real_text.split_documents(documents[::-1])       # the order does not matter
    assert sorted(map(tuple, held_out)) == sorted(map(tuple, again_held))


@pytest.mark.parametrize("module", [mlm_directions, nsp_pairs, real_text], ids=lambda m: m.NAME)
def test_the_stored_file_was_made_with_the_module_s_settings(module):
    stored = experiments.load(module.NAME)
    assert stored["experiment"] == module.NAME and stored["command"].endswith(module.NAME)
    settings = getattr(module, "SETTINGS")
    assert {k: stored["settings"][k] for k in settings} == settings
    assert experiments.result_path(module.NAME).stat().st_size < 200_000
