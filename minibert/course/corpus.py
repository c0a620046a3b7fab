"""The course corpus and the WordPiece vocabularies trained on it (lessons 01, 07-09).

The corpus is the course's own English, written by ``minibert.course.datagen.stories`` from a seed and
committed in ``data/corpus/``; the vocabularies are committed in ``data/vocab/``. Both are found from the
repository (``minibert.course.paths``). Command: ``python -m minibert.course.corpus --vocab 8000 2000``
rebuilds the committed vocabularies.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from minibert.corpus import Document, read_documents
from minibert.course.datagen import stories
from minibert.course.paths import data_dir, find_data_dir
from minibert.tokenizer import BertTokenizer
from minibert.wordpiece import train_wordpiece, write_vocab

# The committed course corpus: file name, number of documents, seed (see data/README.md).
COURSE_SPLITS: dict[str, tuple[str, int, int]] = {
    "train": ("course.txt", 8000, 0),
    "dev": ("course_dev.txt", 400, 1),
}


def cache_dir() -> Path:
    """Where vocabularies not in the data folder are trained once and kept: ``$MINIBERT_CACHE`` or
    ``~/.cache/minibert``."""
    return Path(os.environ.get("MINIBERT_CACHE", Path.home() / ".cache" / "minibert"))


def course_corpus_path(split: str = "train") -> Path:
    """The committed file of a split of the course corpus (``data/corpus/course.txt`` for "train")."""
    if split not in COURSE_SPLITS:
        raise ValueError(f"unknown split {split!r}; choose one of {sorted(COURSE_SPLITS)}")
    return data_dir() / "corpus" / COURSE_SPLITS[split][0]


def course_corpus(split: str = "train") -> list[Document]:
    """The course corpus: ``"train"`` (8,000 documents) or ``"dev"`` (400 documents).

    It is read from the repository's ``data/corpus/``. Away from the repository, the same text is
    regenerated in memory from the committed seed (about a second): the generator is deterministic, and
    a test checks that the committed files equal its output.
    """
    if split not in COURSE_SPLITS:
        raise ValueError(f"unknown split {split!r}; choose one of {sorted(COURSE_SPLITS)}")
    name, n_documents, seed = COURSE_SPLITS[split]
    found = find_data_dir()
    if found is not None and (found / "corpus" / name).is_file():
        return read_documents(found / "corpus" / name)
    return stories.generate_corpus(n_documents, seed)


def vocab_name(size: int) -> str:
    return f"course-{size // 1000}k" if size % 1000 == 0 else f"course-{size}"


def course_vocab_dir(size: int = 8000) -> Path:
    """A folder with ``vocab.txt`` and ``tokenizer_config.json``: WordPiece trained on the course corpus.

    ``size`` is the ``vocab_size`` asked of the trainer. The course corpus has only about 1,500 distinct
    words, so WordPiece runs out of merges below 8,000 tokens: ``course-8k`` (the default, for from-scratch
    models) holds every word of the corpus whole. ``course-2k`` (for the lesson on vocabulary size) has
    2,000 tokens and splits many words, even frequent ones: the WordPiece score (pair count / product of
    the parts' counts) merges rare pairs first. Both are committed in ``data/vocab/``. Another size (or a
    missing data folder) is trained once into :func:`cache_dir` and reused. For the real bert-base-uncased
    vocabulary (MiniLM), use ``minibert.hub.minilm_dir()``.
    """
    name = vocab_name(size)
    found = find_data_dir()
    for directory in ([found / "vocab" / name] if found else []) + [cache_dir() / "vocab" / name]:
        if (directory / "vocab.txt").is_file():
            return directory
    return build_course_vocab(size, cache_dir() / "vocab" / name)


def build_course_vocab(size: int, directory: str | os.PathLike) -> Path:
    """Train a WordPiece vocabulary of at most ``size`` tokens on the course training corpus and save it as
    a tokenizer folder (lower-cased, special tokens [PAD]=0, [UNK]=1, [CLS]=2, [SEP]=3, [MASK]=4).

    It uses the readable ``train_wordpiece`` (a few seconds here): unlike the ``tokenizers`` library's
    trainer, it breaks ties the same way on every run, so the committed files can be rebuilt exactly."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    sentences = [sentence for doc in course_corpus("train") for sentence in doc]
    vocab_file = write_vocab(train_wordpiece(sentences, size, do_lower_case=True), directory / "vocab.txt")
    BertTokenizer(vocab_file, do_lower_case=True).save_pretrained(directory)
    return directory


def main(argv: list[str] | None = None) -> None:
    """``python -m minibert.course.corpus --vocab 8000 2000``: rebuild the committed course vocabularies."""
    parser = argparse.ArgumentParser(description="Rebuild the course WordPiece vocabularies in data/vocab/.")
    parser.add_argument("--vocab", type=int, nargs="+", default=[8000, 2000], help="vocabulary sizes")
    args = parser.parse_args(argv)
    for size in args.vocab:
        print(build_course_vocab(size, data_dir() / "vocab" / vocab_name(size)))


if __name__ == "__main__":
    main()
