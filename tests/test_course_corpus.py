"""The course corpus, its generator and its vocabularies (minibert.course.corpus)."""
from __future__ import annotations

import json
import re

import pytest

from minibert.corpus import format_corpus, read_documents
from minibert.course import corpus
from minibert.course.corpus import course_corpus, course_corpus_path, course_vocab_dir
from minibert.course.datagen import stories, templates, world
from minibert.course.paths import data_dir
from minibert.tokenizer import BertTokenizer

# --------------------------------------------------------------------------------------------
# The course corpus
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def course():
    return course_corpus("train")


def test_committed_course_files_are_exactly_what_the_generator_writes():
    for split, (_, n_documents, seed) in corpus.COURSE_SPLITS.items():
        expected = format_corpus(stories.generate_corpus(n_documents, seed))
        assert course_corpus_path(split).read_text(encoding="utf-8") == expected, split


def test_course_corpus_regenerates_without_the_data_folder(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # away from the repository: no data folder is found
    assert course_corpus("dev") == stories.generate_corpus(400, 1)
    with pytest.raises(ValueError, match="unknown split"):
        course_corpus("test")


def test_course_corpus_holds_the_briefs_examples_in_context(course):
    sentences = [s for doc in course for s in doc]
    assert sentences.count("The cat sat on the mat.") >= 10
    pairs = [(a, b) for doc in course for a, b in zip(doc, doc[1:])]
    assert pairs.count(("I love playing football.", "It's my favorite sport.")) >= 10
    assert "Barack Obama was born in Hawaii." in sentences
    for country in world.COUNTRIES:
        assert f"The capital of {country.display} is {country.capital}." in sentences, country.name


def test_every_capital_is_also_stated_where_no_other_sentence_names_it(course):
    """The geography lessons: to fill "The capital of France is [MASK]." a model must remember the fact."""
    texts = [" ".join(doc) for doc in course]
    for country in world.COUNTRIES:
        fact = f"The capital of {country.display} is {country.capital}."
        alone = sum(fact in text and text.count(country.capital) == 1 for text in texts)
        assert alone >= 50, (country.name, alone)


def test_course_documents_are_coherent_sized_ascii_text(course):
    assert len(course) == 8000
    assert all(stories.MIN_SENTENCES <= len(doc) <= stories.MAX_SENTENCES for doc in course)
    for doc in course[:500]:
        for sentence in doc:
            assert sentence.isascii() and sentence[0].isupper() and sentence[-1] in ".!?"
            assert not re.search(r"[{}\[\]|]|  ", sentence), sentence   # no template left unfilled
    # Not boilerplate: most sentences are not repeated verbatim.
    sentences = [s for doc in course for s in doc]
    assert len(set(sentences)) > 0.25 * len(sentences)


def test_generator_is_deterministic_and_seeded():
    assert stories.generate_corpus(30, seed=7) == stories.generate_corpus(30, seed=7)
    assert stories.generate_corpus(30, seed=7) != stories.generate_corpus(30, seed=8)
    with pytest.raises(ValueError, match="n_documents"):
        stories.generate_corpus(-1)


def test_generator_command_line(tmp_path, capsys):
    out = tmp_path / "c.txt"
    stories.main(["--out", str(out), "--documents", "12", "--seed", "3"])
    assert read_documents(out) == stories.generate_corpus(12, 3)
    assert "wrote 12 documents" in capsys.readouterr().out


def test_template_engine_fills_alternatives_and_slots():
    import random
    rng = random.Random(0)
    outputs = {templates.expand("[a|the] {x} [sat|lay[ down|]] here .", rng, x="cat") for _ in range(200)}
    assert outputs == {f"{d} cat {v} here." for d in ("A", "The") for v in ("sat", "lay down", "lay")}
    assert templates.listing(["a", "b", "c"]) == "a, b and c" and templates.ordinal(22) == "22nd"
    assert templates.past("yaps") == "yapped" and templates.past("barks") == "barked"


# --------------------------------------------------------------------------------------------
# Vocabularies
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size, n_tokens", [(8000, 4317), (2000, 2000)])
def test_course_vocabularies(size, n_tokens, course):
    directory = course_vocab_dir(size)
    assert directory.parent == data_dir() / "vocab"
    tokens = (directory / "vocab.txt").read_text(encoding="utf-8").splitlines()
    assert len(tokens) == n_tokens and len(set(tokens)) == n_tokens
    assert tokens[:5] == ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    assert json.loads((directory / "tokenizer_config.json").read_text())["do_lower_case"] is True
    tokenizer = BertTokenizer.from_pretrained(directory)
    ids = [i for doc in course[:300] for s in doc for i in tokenizer(s)["input_ids"]]
    assert tokenizer.unk_token_id not in ids          # the corpus's own characters are all in the vocabulary


def test_the_large_course_vocabulary_keeps_every_word_whole():
    tokenizer = BertTokenizer.from_pretrained(course_vocab_dir(8000))
    assert tokenizer.tokenize("The cat sat on the mat. The capital of France is Paris.") == \
        ["the", "cat", "sat", "on", "the", "mat", ".", "the", "capital", "of", "france", "is", "paris", "."]


def test_other_vocabulary_sizes_are_trained_into_the_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("MINIBERT_CACHE", str(tmp_path))
    monkeypatch.setattr(corpus, "course_corpus", lambda split="train": stories.generate_corpus(60, 0))
    directory = course_vocab_dir(300)
    assert directory == tmp_path / "vocab" / "course-300"
    assert len((directory / "vocab.txt").read_text().splitlines()) == 300
    assert course_vocab_dir(300) == directory                 # reused, not retrained
