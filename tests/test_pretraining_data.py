"""Google's pre-training data recipe: property tests for every rule, regression tests for classic bugs."""
from __future__ import annotations

import random
from collections import Counter

import pytest
import torch
import transformers
from hypothesis import given, settings
from hypothesis import strategies as st

from minibert.config import BertConfig
from minibert.course.corpus import course_corpus, course_vocab_dir
from minibert.heads import BertForPreTraining
from minibert.pretraining_data import (
    IGNORE_INDEX,
    IS_NEXT,
    NOT_NEXT,
    MaskingConfig,
    MaskingVocab,
    PretrainingCollator,
    PretrainingDataset,
    build_pretraining_dataset,
    create_instances_from_document,
    create_masked_lm_predictions,
    create_segment_pairs,
    tokenize_documents,
    truncate_seq_pair,
)
from minibert.tokenizer import BertTokenizer

# A synthetic vocabulary for fast property tests: ids 0-4 special, 5-49 word starts, 50-99 "##" pieces.
PAD, UNK, CLS, SEP, MASK = range(5)
VOCAB = MaskingVocab(mask_token_id=MASK, special_ids=frozenset(range(5)), random_ids=tuple(range(5, 100)),
                     continuation_ids=frozenset(range(50, 100)))
FAST = settings(max_examples=60, deadline=None)

words = st.lists(st.integers(5, 49).flatmap(lambda start: st.lists(st.integers(50, 99), max_size=3)
                                            .map(lambda pieces: [start, *pieces])), min_size=1, max_size=40)


@st.composite
def sequences(draw):
    """[CLS] A [SEP] B [SEP]: a pre-training example as the recipe masks it (before any padding)."""
    a, b = [t for w in draw(words) for t in w], [t for w in draw(words) for t in w]
    return [CLS, *a, SEP, *b, SEP]


def google_num_to_predict(tokens, masked_lm_prob, max_predictions_per_seq):
    """Google's create_pretraining_data.py, word for word: 15% of ALL the tokens, [CLS] and [SEP] included."""
    return min(max_predictions_per_seq, max(1, int(round(len(tokens) * masked_lm_prob))))


def word_spans(ids):
    """Positions of each whole word: a start piece followed by its ## pieces."""
    spans = []
    for position, token in enumerate(ids):
        if token in VOCAB.special_ids:
            continue
        if token in VOCAB.continuation_ids and spans and spans[-1][-1] == position - 1:
            spans[-1].append(position)
        else:
            spans.append([position])
    return spans


# --------------------------------------------------------------------------------------------
# Masked language modeling
# --------------------------------------------------------------------------------------------


@FAST
@given(sequences(), st.integers(1, 30), st.integers(0, 2**32 - 1))
def test_masking_rules(ids, max_predictions, seed):
    masked, labels = create_masked_lm_predictions(ids, VOCAB, random.Random(seed), 0.15, max_predictions)
    assert len(masked) == len(labels) == len(ids)
    chosen = [i for i, label in enumerate(labels) if label != IGNORE_INDEX]
    n_candidates = sum(t not in VOCAB.special_ids for t in ids)
    assert len(chosen) == min(n_candidates, google_num_to_predict(ids, 0.15, max_predictions))
    for i, (original, new, label) in enumerate(zip(ids, masked, labels)):
        if i in chosen:
            assert original not in VOCAB.special_ids          # never [CLS], [SEP] or padding
            assert label == original                          # the label is the ORIGINAL id
            assert new == MASK or new == original or new in VOCAB.random_ids
        else:
            assert label == IGNORE_INDEX and new == original  # -100 exactly where nothing is predicted


@FAST
@given(sequences(), st.integers(0, 2**32 - 1))
def test_whole_word_masking_masks_every_piece_of_a_word(ids, seed):
    masked, labels = create_masked_lm_predictions(ids, VOCAB, random.Random(seed), 0.15, 20, whole_word_mask=True)
    chosen = {i for i, label in enumerate(labels) if label != IGNORE_INDEX}
    budget = google_num_to_predict(ids, 0.15, 20)
    spans = word_spans(ids)
    # At least one word (never a loss over nothing); more than the budget only when that one word is longer.
    assert len(chosen) >= 1 and (len(chosen) <= budget or any(set(s) == chosen for s in spans))
    for span in spans:
        assert set(span) <= chosen or not set(span) & chosen, span   # all pieces or none
    assert all(ids[i] not in VOCAB.special_ids for i in chosen)


def test_masked_fraction_is_fifteen_percent_and_capped():
    rng = random.Random(0)
    ids = [CLS] + [rng.randrange(5, 50) for _ in range(197)] + [SEP]
    _, labels = create_masked_lm_predictions(ids, VOCAB, rng, 0.15, max_predictions_per_seq=1000)
    assert sum(label != IGNORE_INDEX for label in labels) == 30            # 15% of the 199 tokens, rounded
    _, labels = create_masked_lm_predictions(ids, VOCAB, rng, 0.15, max_predictions_per_seq=20)
    assert sum(label != IGNORE_INDEX for label in labels) == 20


@pytest.mark.parametrize("n_a, n_b, expected", [(15, 15, 5), (25, 29, 9), (3, 3, 1), (40, 40, 12), (10, 7, 3)])
def test_regression_the_fifteen_percent_counts_cls_and_sep_as_google_does(n_a, n_b, expected):
    # [CLS] + 15 + [SEP] + 15 + [SEP] = 33 tokens: Google predicts round(4.95) = 5; 15% of the 30 ordinary
    # tokens alone would be round(4.5) = 4. (25, 29): round(8.55) = 9, not round(8.1) = 8.
    ids = [CLS, *range(5, 5 + n_a), SEP, *range(5, 5 + n_b), SEP]
    for seed in range(5):
        _, labels = create_masked_lm_predictions(ids, VOCAB, random.Random(seed), 0.15, 20)
        assert sum(label != IGNORE_INDEX for label in labels) == expected == google_num_to_predict(ids, 0.15, 20)


def test_eighty_ten_ten_split_over_many_draws():
    rng = random.Random(1)
    counts = Counter()
    for _ in range(1000):
        ids = [CLS] + [rng.randrange(5, 100) for _ in range(120)] + [SEP]
        masked, labels = create_masked_lm_predictions(ids, VOCAB, rng, 0.15, 40)
        for original, new, label in zip(ids, masked, labels):
            if label != IGNORE_INDEX:
                counts["mask" if new == MASK else "same" if new == original else "random"] += 1
                assert new not in VOCAB.special_ids or new == MASK     # random tokens are never special
    total = sum(counts.values())
    assert total == 18000
    # A random draw equals the original 1 time in 95, so "same" is 10% + 10%/95.
    assert counts["mask"] / total == pytest.approx(0.8, abs=0.015)
    assert counts["same"] / total == pytest.approx(0.1 + 0.1 / 95, abs=0.01)
    assert counts["random"] / total == pytest.approx(0.1 - 0.1 / 95, abs=0.01)


def test_masking_vocab_from_real_tokenizers_excludes_special_and_unused_tokens(tmp_path):
    vocab_file = tmp_path / "vocab.txt"
    vocab_file.write_text("\n".join(["[PAD]", "[unused0]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat",
                                     "##s", "sat"]) + "\n")
    for tokenizer in (BertTokenizer(vocab_file), transformers.BertTokenizer(str(vocab_file))):
        vocab = MaskingVocab.from_tokenizer(tokenizer)
        assert vocab.random_ids == (6, 7, 8, 9) and vocab.mask_token_id == 5
        assert vocab.special_ids == {0, 2, 3, 4, 5} and vocab.continuation_ids == {8}


# --------------------------------------------------------------------------------------------
# Segments, next sentence prediction, truncation
# --------------------------------------------------------------------------------------------


def disjoint_documents(rng, n_documents, max_sentences=8, max_sentence_length=12):
    """Documents whose token ids say where they come from: document d uses ids 1000*d + 1 .. 1000*d + 999."""
    return [[[1000 * d + rng.randrange(1, 1000) for _ in range(rng.randint(1, max_sentence_length))]
             for _ in range(rng.randint(1, max_sentences))] for d in range(n_documents)]


def source_document(tokens):
    documents = {t // 1000 for t in tokens}
    assert len(documents) == 1, "a segment mixes documents"
    return documents.pop()


@FAST
@given(st.integers(2, 12), st.integers(5, 80), st.floats(0, 1), st.integers(0, 2**32 - 1))
def test_segment_pairs_follow_the_recipe(n_documents, max_seq_length, short_seq_prob, seed):
    rng = random.Random(seed)
    documents = disjoint_documents(rng, n_documents)
    for index in range(n_documents):
        for pair in create_instances_from_document(documents, index, max_seq_length, short_seq_prob, rng):
            assert len(pair.tokens_a) >= 1 and len(pair.tokens_b) >= 1
            assert len(pair.tokens_a) + len(pair.tokens_b) <= max_seq_length - 3
            assert source_document(pair.tokens_a) == pair.document_a == index
            assert source_document(pair.tokens_b) == pair.document_b
            if pair.next_sentence_label == NOT_NEXT:
                assert pair.document_b != index                       # never the same document
            else:
                assert pair.next_sentence_label == IS_NEXT and pair.document_b == index
            ids = pair.input_ids(-1, -2)       # ids the documents cannot contain stand for [CLS] and [SEP]
            types = pair.token_type_ids()
            first_sep = ids.index(-2)
            assert ids[0] == -1 and ids[-1] == -2 and ids.count(-2) == 2 and len(ids) <= max_seq_length
            assert types == [0] * (first_sep + 1) + [1] * (len(ids) - first_sep - 1)


def test_is_next_segments_are_the_true_continuation():
    rng = random.Random(3)
    documents = disjoint_documents(rng, 20)
    flat = {d: [t for s in doc for t in s] for d, doc in enumerate(documents)}
    pairs = create_segment_pairs(documents, max_seq_length=512, short_seq_prob=0, seed=3)
    for pair in (p for p in pairs if p.next_sentence_label == IS_NEXT):
        text, joined = flat[pair.document_a], pair.tokens_a + pair.tokens_b
        assert any(text[i:i + len(joined)] == joined for i in range(len(text)))   # A then B, contiguous


def test_the_nsp_coin_is_fifty_fifty():
    # Two-sentence documents that fit one chunk: the first pair of each document is exactly one coin flip
    # (a NotNext puts sentence 2 back, and a one-sentence chunk then always gets a random B).
    documents = [[[1000 * d + 1], [1000 * d + 2]] for d in range(2000)]
    pairs = create_segment_pairs(documents, max_seq_length=64, short_seq_prob=0, seed=0)
    first = [p.next_sentence_label for p in pairs if p.tokens_a == [1000 * p.document_a + 1]]
    assert len(first) == 2000 and sum(first) / 2000 == pytest.approx(0.5, abs=0.04)


def test_nsp_labels_on_the_course_corpus_are_near_half(course_pairs):
    share = sum(p.next_sentence_label for p in course_pairs) / len(course_pairs)
    assert 0.45 < share < 0.65      # a bit over 0.5: one-sentence chunks always get a random B (as in Google's)


@pytest.mark.parametrize("seed", range(100))
def test_regression_not_next_never_comes_from_the_same_document_with_two_documents(seed):
    # The original draws 10 times and keeps a same-document draw if all 10 fail: likely with 2 documents
    # over many pairs. Here it must never happen.
    rng = random.Random(seed)
    documents = disjoint_documents(rng, 2, max_sentences=12, max_sentence_length=3)
    for pair in create_segment_pairs(documents, max_seq_length=16, seed=seed):
        if pair.next_sentence_label == NOT_NEXT:
            assert source_document(pair.tokens_b) == pair.document_b != pair.document_a


@FAST
@given(st.lists(st.integers(0, 99), max_size=60), st.lists(st.integers(100, 199), max_size=60),
       st.integers(2, 80), st.integers(0, 2**32 - 1))
def test_truncate_seq_pair_trims_the_longer_side(a, b, max_num_tokens, seed):
    new_a, new_b = list(a), list(b)
    truncate_seq_pair(new_a, new_b, max_num_tokens, random.Random(seed))
    assert len(new_a) + len(new_b) == min(len(a) + len(b), max_num_tokens)
    for new, old in ((new_a, a), (new_b, b)):
        assert any(old[i:i + len(new)] == new for i in range(len(old) - len(new) + 1))   # a contiguous piece
    if len(new_a) < len(a):
        assert len(new_a) >= len(new_b) - 1 or len(new_b) == len(b)
    if len(new_b) < len(b):
        assert len(new_b) >= len(new_a) - 1 or len(new_a) == len(a)
    short, long = (a, b) if len(a) < len(b) else (b, a)
    if len(a) != len(b) and len(short) <= max_num_tokens // 2:
        assert (new_a if short is a else new_b) == short                  # the shorter side is untouched


def test_truncation_cuts_from_both_ends():
    fronts = backs = 0
    for seed in range(50):
        a = list(range(20))
        truncate_seq_pair(a, [100], 11, random.Random(seed))
        fronts += a[0] != 0
        backs += a[-1] != 19
    assert fronts > 10 and backs > 10


# --------------------------------------------------------------------------------------------
# Datasets, masks per epoch, batches
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tokenizer():
    return BertTokenizer.from_pretrained(course_vocab_dir())


@pytest.fixture(scope="module")
def documents():
    return course_corpus("dev")[:120]


@pytest.fixture(scope="module")
def course_pairs(tokenizer, documents):
    return create_segment_pairs(tokenize_documents(documents, tokenizer), max_seq_length=64, seed=0)


def test_examples_from_text_follow_every_rule(tokenizer, documents):
    dataset = build_pretraining_dataset(documents, tokenizer, max_seq_length=48, whole_word_mask=True, seed=1)
    special = set(tokenizer.all_special_ids)
    for index in range(len(dataset)):
        example, pair = dataset[index], dataset.pairs[index]
        original = pair.input_ids(tokenizer.cls_token_id, tokenizer.sep_token_id)
        assert len(example["input_ids"]) == len(original) <= 48
        assert example["token_type_ids"] == pair.token_type_ids()
        for orig, new, label in zip(original, example["input_ids"], example["labels"]):
            assert label in (IGNORE_INDEX, orig) and (label != IGNORE_INDEX or new == orig)
            assert label == IGNORE_INDEX or orig not in special
        assert 1 <= sum(label != IGNORE_INDEX for label in example["labels"]) <= 20


def test_minibert_and_transformers_tokenizers_give_the_same_examples(tokenizer, documents):
    reference = transformers.BertTokenizer.from_pretrained(str(course_vocab_dir()))
    ours = build_pretraining_dataset(documents[:40], tokenizer, max_seq_length=64, seed=5)
    theirs = build_pretraining_dataset(documents[:40], reference, max_seq_length=64, seed=5)
    assert [ours[i] for i in range(len(ours))] == [theirs[i] for i in range(len(theirs))]


def test_static_masks_are_fixed_and_dupe_factor_gives_other_masks(tokenizer, documents):
    one = build_pretraining_dataset(documents, tokenizer, max_seq_length=64, seed=2)
    again = build_pretraining_dataset(documents, tokenizer, max_seq_length=64, seed=2)
    assert [one[i] for i in range(len(one))] == [again[i] for i in range(len(again))]    # deterministic
    before = [one[i] for i in range(len(one))]
    one.set_epoch(3)
    assert [one[i] for i in range(len(one))] == before                                  # static: no change
    three = build_pretraining_dataset(documents, tokenizer, max_seq_length=64, dupe_factor=3, seed=2)
    assert 2.5 * len(one) < len(three) < 3.5 * len(one)


def test_dynamic_masks_change_each_epoch_and_repeat_within_one(tokenizer, documents):
    dataset = build_pretraining_dataset(documents, tokenizer, max_seq_length=64, dynamic_masking=True, seed=4)
    epoch0 = [dataset[i] for i in range(len(dataset))]
    assert epoch0 == [dataset[i] for i in range(len(dataset))]
    dataset.set_epoch(1)
    epoch1 = [dataset[i] for i in range(len(dataset))]
    changed = sum(a["labels"] != b["labels"] for a, b in zip(epoch0, epoch1))
    assert changed > 0.8 * len(dataset)
    assert all(a["next_sentence_label"] == b["next_sentence_label"] for a, b in zip(epoch0, epoch1))


def test_collator_pads_to_the_batch_maximum(tokenizer):
    examples = [{"input_ids": [2, 7, 3, 8, 3], "token_type_ids": [0, 0, 0, 1, 1], "labels": [-100, 7, -100, -100, -100],
                 "next_sentence_label": 1},
                {"input_ids": [2, 9, 3, 10, 11, 12, 3], "token_type_ids": [0, 0, 0, 1, 1, 1, 1],
                 "labels": [-100] * 6 + [-100], "next_sentence_label": 0}]
    batch = PretrainingCollator(pad_token_id=0)(examples)
    assert batch["input_ids"].tolist()[0] == [2, 7, 3, 8, 3, 0, 0]
    assert batch["attention_mask"].tolist() == [[1] * 5 + [0, 0], [1] * 7]
    assert batch["token_type_ids"].tolist()[0] == [0, 0, 0, 1, 1, 0, 0]
    assert batch["labels"].tolist()[0] == [-100, 7, -100, -100, -100, -100, -100]
    assert all(t.dtype == torch.long for t in batch.values()) and batch["next_sentence_label"].shape == (2,)
    with pytest.raises(ValueError, match="empty batch"):
        PretrainingCollator()([])
    rounded = PretrainingCollator(pad_token_id=0, pad_to_multiple_of=4)(examples)
    assert rounded["input_ids"].shape == (2, 8) and rounded["attention_mask"].tolist()[1] == [1] * 7 + [0]
    assert rounded["labels"][:, 7].tolist() == [-100, -100]
    with pytest.raises(ValueError, match="pad_to_multiple_of must be 1 or more, got 0"):
        PretrainingCollator(pad_to_multiple_of=0)


def test_regression_the_nsp_label_reaches_the_loss(tokenizer, documents):
    dataset = build_pretraining_dataset(documents, tokenizer, max_seq_length=64, seed=6)
    loader = torch.utils.data.DataLoader(dataset, batch_size=32, collate_fn=PretrainingCollator(tokenizer.pad_token_id))
    batch = next(iter(loader))
    labels = batch["next_sentence_label"]
    assert labels.dtype == torch.long and set(labels.tolist()) == {0, 1}
    padding = batch["attention_mask"] == 0
    assert (batch["labels"][padding] == IGNORE_INDEX).all() and (batch["input_ids"][padding] == 0).all()
    torch.manual_seed(0)
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=64)
    model = BertForPreTraining(config).eval()
    with torch.no_grad():
        out = model(**batch)                                     # the batch's keys are the model's arguments
        flipped = model(**{**batch, "next_sentence_label": 1 - labels})
    assert torch.isfinite(out.loss) and out.next_sentence_loss is not None
    assert torch.isclose(out.loss, out.masked_lm_loss + out.next_sentence_loss)
    assert not torch.isclose(out.next_sentence_loss, flipped.next_sentence_loss)


def test_errors(tokenizer):
    with pytest.raises(ValueError, match="only one non-empty document"):
        build_pretraining_dataset([["One document.", "Two sentences."]], tokenizer)
    with pytest.raises(ValueError, match="no non-empty documents"):
        build_pretraining_dataset([], tokenizer)
    with pytest.raises(ValueError, match="max_seq_length=4 is too small"):
        build_pretraining_dataset([["A b."], ["C d."]], tokenizer, max_seq_length=4)
    with pytest.raises(ValueError, match="masked_lm_prob"):
        MaskingConfig(masked_lm_prob=0)
    with pytest.raises(ValueError, match="max_predictions_per_seq"):
        MaskingConfig(max_predictions_per_seq=0)
    with pytest.raises(ValueError, match="dupe_factor"):
        create_segment_pairs([[[5]], [[6]]], dupe_factor=0)
    with pytest.raises(ValueError, match="at least two documents"):
        create_segment_pairs([[[5]]])
    with pytest.raises(ValueError, match="no segment pairs"):
        PretrainingDataset([], tokenizer)
