"""Shards: tokenize once, read lazily, refuse what does not match; examples follow Google's recipe."""
from __future__ import annotations

import json
import random
import sys
import types

import numpy as np
import pytest

from minibert.corpus import read_documents
from minibert.course.corpus import course_vocab_dir
from minibert.course.datagen.stories import write_corpus
from minibert.prepare import dataset_documents, main, prepare_shards
from minibert.pretraining_data import IGNORE_INDEX, NOT_NEXT, create_instances_from_document, tokenize_documents
from minibert.shards import INDEX_NAME, SegmentPairIndex, ShardedCorpus, build_sharded_dataset, vocab_checksum
from minibert.tokenizer import BertTokenizer

VOCAB = course_vocab_dir()


@pytest.fixture(scope="module")
def tokenizer() -> BertTokenizer:
    return BertTokenizer.from_pretrained(VOCAB)


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory):
    return write_corpus(tmp_path_factory.mktemp("corpus") / "stories.txt", 300, seed=3)


@pytest.fixture(scope="module")
def shard_dir(tmp_path_factory, corpus_file):
    out = tmp_path_factory.mktemp("shards") / "out"
    prepare_shards(read_documents(corpus_file), VOCAB, out, workers=1, shard_tokens=4000, show_progress=False)
    return out


def test_shards_hold_the_tokenized_corpus_document_by_document(shard_dir, corpus_file, tokenizer):
    expected = tokenize_documents(read_documents(corpus_file), tokenizer)
    corpus = ShardedCorpus(shard_dir, tokenizer)
    assert len(corpus) == len(expected)
    assert [corpus[i] for i in range(len(corpus))] == expected
    assert corpus[-1] == expected[-1]
    index = json.loads((shard_dir / INDEX_NAME).read_text())
    assert len(index["shards"]) > 1                    # 4,000 tokens a shard: several shards
    assert index["tokens"] == sum(len(s) for d in expected for s in d)
    assert index["sentences"] == sum(len(d) for d in expected)
    assert index["dtype"] == "uint16" and index["vocab_sha256"] == vocab_checksum(tokenizer)
    with pytest.raises(IndexError, match="out of range"):
        corpus[len(corpus)]


def test_arrays_are_memory_mapped(shard_dir, tokenizer):
    corpus = ShardedCorpus(shard_dir, tokenizer)
    corpus[0]
    assert isinstance(corpus._shard(0)["tokens"], np.memmap)


def test_parallel_workers_write_the_same_shards(tmp_path, corpus_file, shard_dir):
    out = tmp_path / "parallel"
    prepare_shards(read_documents(corpus_file), VOCAB, out, workers=2, shard_tokens=4000, show_progress=False)
    assert json.loads((out / INDEX_NAME).read_text())["shards"] == \
        json.loads((shard_dir / INDEX_NAME).read_text())["shards"]


def test_a_corrupt_shard_is_refused(tmp_path, shard_dir, tokenizer):
    copy = tmp_path / "copy"
    copy.mkdir()
    for file in shard_dir.iterdir():
        (copy / file.name).write_bytes(file.read_bytes())
    path = copy / "shard-00001.tokens.npy"
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="shard-00001.tokens.npy is corrupt"):
        ShardedCorpus(copy, tokenizer)
    path.unlink()
    with pytest.raises(FileNotFoundError, match="shard-00001.tokens.npy is missing"):
        ShardedCorpus(copy, tokenizer, verify=False)


def test_another_vocabulary_is_refused(shard_dir):
    with pytest.raises(ValueError, match="another vocabulary"):
        ShardedCorpus(shard_dir, BertTokenizer.from_pretrained(course_vocab_dir(2000)))
    uncased = BertTokenizer(VOCAB / "vocab.txt", do_lower_case=False)
    with pytest.raises(ValueError, match="another vocabulary"):
        ShardedCorpus(shard_dir, uncased)


def test_bad_folders_get_clear_errors(tmp_path, shard_dir, corpus_file):
    with pytest.raises(FileNotFoundError, match="holds no shards"):
        ShardedCorpus(tmp_path)
    with pytest.raises(FileExistsError, match="already holds shards"):
        prepare_shards([], VOCAB, shard_dir, workers=1, show_progress=False)
    (tmp_path / INDEX_NAME).write_text(json.dumps({"format": "minibert-shards", "version": 99}))
    with pytest.raises(ValueError, match="version 99"):
        ShardedCorpus(tmp_path)
    with pytest.raises(ValueError, match="at least two"):
        prepare_shards([["One sentence only."]], VOCAB, tmp_path / "one", workers=1, show_progress=False)


def test_segment_pairs_are_googles_recipe_made_on_demand(shard_dir, tokenizer):
    corpus = ShardedCorpus(shard_dir, tokenizer)
    pairs = SegmentPairIndex(corpus, max_seq_length=64, dupe_factor=2, seed=5)
    documents = [corpus[i] for i in range(len(corpus))]
    expected = [pair for dupe in range(2) for d in range(len(documents))
                for pair in create_instances_from_document(documents, d, 64, 0.1, random.Random(f"5:{dupe}:{d}"))]
    assert len(pairs) == len(expected)
    for i in (0, 1, len(pairs) // 2, len(pairs) - 1):
        assert pairs[i] == expected[i]
    assert all(p.document_a != p.document_b for p in expected if p.next_sentence_label == NOT_NEXT)
    assert all(len(p.tokens_a) + len(p.tokens_b) <= 61 for p in expected)
    with pytest.raises(IndexError):
        pairs[len(pairs)]


def test_sharded_examples_mask_like_the_recipe(shard_dir, tokenizer):
    dataset = build_sharded_dataset(shard_dir, tokenizer, max_seq_length=64, seed=1)
    example = dataset[3]
    assert example == dataset[3]                       # the same mask when read again in an epoch
    special = set(tokenizer.all_special_ids)
    chosen = [i for i, label in enumerate(example["labels"]) if label != IGNORE_INDEX]
    assert chosen and all(example["labels"][i] not in special for i in chosen)
    assert example["input_ids"][0] == tokenizer.cls_token_id
    masks = {tuple(dataset[3]["labels"])}
    for epoch in range(1, 4):
        dataset.set_epoch(epoch)
        masks.add(tuple(dataset[3]["labels"]))
    assert len(masks) > 1                               # dynamic: new masks each epoch
    static = build_sharded_dataset(shard_dir, tokenizer, max_seq_length=64, seed=1, dynamic_masking=False)
    first = static[3]
    static.set_epoch(5)
    assert static[3] == first


class FakeStreamingDataset:
    """Stands in for ``datasets.load_dataset(..., streaming=True)``: an iterable of row dicts."""

    def __init__(self, rows):
        self.rows = rows

    def __iter__(self):
        return iter(self.rows)


def test_a_streamed_hugging_face_dataset_is_prepared(tmp_path, monkeypatch, tokenizer):
    rows = [{"text": "The cat sat on the mat. It was warm.\nThe dog slept.", "id": 0},
            {"text": "", "id": 1},
            {"text": "Paris is the capital of France. It is a big city.", "id": 2}]
    calls = []

    def load_dataset(name, config, split, streaming):
        calls.append((name, config, split, streaming))
        return FakeStreamingDataset(rows)

    monkeypatch.setitem(sys.modules, "datasets", types.SimpleNamespace(load_dataset=load_dataset))
    assert main(["--corpus", "hf:someone/wiki:en@train", "--vocab", str(VOCAB), "--out", str(tmp_path / "s"),
                 "--workers", "1"]) == 0
    assert calls == [("someone/wiki", "en", "train", True)]
    corpus = ShardedCorpus(tmp_path / "s", tokenizer)
    assert len(corpus) == 2                             # the empty row is skipped
    assert [tokenizer.decode(s) for s in corpus[0]] == ["the cat sat on the mat.", "it was warm.", "the dog slept."]
    with pytest.raises(ValueError, match="no field 'content'"):
        list(dataset_documents(rows, "content"))


def test_prepare_without_datasets_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "datasets", None)  # import datasets -> ImportError
    with pytest.raises(ImportError, match="pip install datasets"):
        main(["--corpus", "hf:wiki", "--vocab", str(VOCAB), "--out", str(tmp_path / "s")])
