"""Lesson 01: from text to WordPiece tokens."""
from __future__ import annotations

import functools
from typing import Any

from minibert.course.exercises import exercise, expect_function, learners_code
from minibert.tokenizer import BasicTokenizer, BertTokenizer, WordpieceTokenizer
from minibert.wordpiece import train_wordpiece

WORD = "hyperparameters"  # exercise 01.1: a word the lesson never cuts
PAIR = ("Where did you park the car?", "It’s behind the old bakery.")  # exercise 01.2, written for it
# Words for checking a learner's WordPiece: whole words, several pieces, [UNK], one letter, digits.
WORDS = ["the", "playing", "unaffable", "tokenization", "bidirectional", "snowman☃", "a", "x", "1905",
         "supercalifragilistic", "embeddings", "hugging", "wordpiece"]
TINY_VOCAB = {t: i for i, t in enumerate(["[UNK]", "h", "hu", "hug", "##u", "##g", "##s", "##gs", "b", "##ug"])}
# Exercise 01.4: a vocabulary size the lesson did not train, on the lesson's slice, and a held-out sentence.
SIZE, SLICE = 2500, 5000
SENTENCE = "The old sailor mended his nets by the harbour."


def _is_int(answer: Any) -> bool:
    return isinstance(answer, int) and not isinstance(answer, bool)


@functools.lru_cache(maxsize=1)
def _tokenizer() -> BertTokenizer:
    return BertTokenizer.from_pretrained("minilm")


@functools.lru_cache(maxsize=1)
def _pieces_with_trained_vocab() -> tuple[list[str], list[str]]:
    """The sentence's pieces with a SIZE-token vocabulary trained on the first SLICE sentences, and the vocab."""
    from minibert.course.corpus import (
        course_corpus,  # the corpus is read only when this exercise is checked
    )

    sentences = [s for doc in course_corpus("train") for s in doc][:SLICE]
    vocab = train_wordpiece(sentences, vocab_size=SIZE)
    wordpiece = WordpieceTokenizer({t: i for i, t in enumerate(vocab)})
    return [p for w in BasicTokenizer(do_lower_case=True).tokenize(SENTENCE) for p in wordpiece.tokenize(w)], vocab


@exercise("01.1", f"Into which WordPiece pieces does bert-base-uncased's vocabulary (minilm) cut {WORD!r}? "
                  "Answer with a list of str.")
def _pieces(answer: Any) -> str | None:
    if not isinstance(answer, (list, tuple)) or not all(isinstance(p, str) for p in answer):
        return "answer with a list of strings, such as ['to', '##ken']"
    expected = _tokenizer().tokenize(WORD)
    if list(answer) == expected:
        return None
    if "".join(p.removeprefix("##") for p in answer) != WORD:
        return f"the pieces, without their '##', must spell {WORD!r} again"
    if any(p.startswith("##") for p in answer[:1]) or not all(p.startswith("##") for p in answer[1:]):
        return "only the pieces that continue a word start with '##'"
    return "take the longest prefix that is in tok.vocab, then continue with the longest '##' piece"


@exercise("01.2", f"How many tokens of tok{PAIR!r} have segment id (token_type_id) 1?")
def _segment_b(answer: Any) -> str | None:
    expected = sum(_tokenizer()(*PAIR)["token_type_ids"])
    if not _is_int(answer):
        return "answer with a whole number"
    if answer == expected:
        return None
    if answer == expected - 1:
        return "the [SEP] that ends sentence B belongs to segment B too"
    return "count the tokens of sentence B (print them with their segment ids), and do not forget the last [SEP]"


@exercise("01.3", "Write wordpiece(word, vocab) -> list[str]: greedy longest-match-first WordPiece with '##' "
                  "for continuing pieces, and ['[UNK]'] when a word cannot be covered.")
def _wordpiece_function(answer: Any) -> str | None:
    expect_function(answer, "wordpiece(word, vocab)")
    for vocab in (TINY_VOCAB, _tokenizer().vocab):
        reference = WordpieceTokenizer(vocab)
        for word in WORDS + ["hugs", "bug", "hugu", "hq"]:
            with learners_code(f"wordpiece({word!r}, vocab)"):
                got = answer(word, vocab)
            expected = list(reference.tokenize(word))
            if list(got) != expected:
                return f"wordpiece({word!r}, vocab) gave {list(got)}, expected {expected}"
    return None


@exercise("01.4", f"Train a {SIZE}-token vocabulary with train_wordpiece on the first {SLICE:,} sentences of the "
                  f"course corpus (the lesson's train_slice in the smoke profile). Into how many WordPiece pieces "
                  f"does it cut the held-out sentence {SENTENCE!r} (basic tokenizer, then WordPiece; no [CLS] or "
                  "[SEP])?", experiment=True)
def _pieces_of_a_smaller_vocabulary(answer: Any) -> str | None:
    if not _is_int(answer):
        return "answer with a whole number"
    pieces, _ = _pieces_with_trained_vocab()
    if answer == len(pieces):
        return None
    if answer == len(pieces) + 2:
        return "count the sentence's pieces only, without [CLS] and [SEP]"
    if answer > len(pieces) + 2:
        return f"too many pieces: did you train with vocab_size={SIZE} on the first {SLICE:,} sentences?"
    return "cut each word of basic.tokenize(sentence) with the new vocabulary and count all the pieces"
