"""Lesson 01: from text to WordPiece tokens."""
from __future__ import annotations

import functools
from typing import Any

from minibert.course.exercises import exercise, expect_function, learners_code
from minibert.tokenizer import BertTokenizer, WordpieceTokenizer

PAIR = ("I love playing football.", "It’s my favorite sport.")
# Words for checking a learner's WordPiece: whole words, several pieces, [UNK], one letter, digits.
WORDS = ["the", "playing", "unaffable", "tokenization", "bidirectional", "snowman☃", "a", "x", "1905",
         "supercalifragilistic", "embeddings", "hugging", "wordpiece"]
TINY_VOCAB = {t: i for i, t in enumerate(["[UNK]", "h", "hu", "hug", "##u", "##g", "##s", "##gs", "b", "##ug"])}


@functools.lru_cache(maxsize=1)
def _tokenizer() -> BertTokenizer:
    return BertTokenizer.from_pretrained("minilm")


@exercise("01.1", "Into which WordPiece pieces does bert-base-uncased's vocabulary (minilm) cut 'tokenization'? "
                  "Answer with a list of str.")
def _pieces(answer: Any) -> str | None:
    if not isinstance(answer, (list, tuple)) or not all(isinstance(p, str) for p in answer):
        return "answer with a list of strings, such as ['to', '##ken']"
    if list(answer) == _tokenizer().tokenize("tokenization"):
        return None
    return "take the longest prefix that is in tok.vocab, then continue with the longest '##' piece"


@exercise("01.2", f"How many tokens of tok{PAIR!r} have segment id (token_type_id) 1?")
def _segment_b(answer: Any) -> str | None:
    expected = sum(_tokenizer()(*PAIR)["token_type_ids"])
    if isinstance(answer, bool) or not isinstance(answer, int):
        return "answer with a whole number"
    return None if answer == expected else "count the tokens of sentence B, and do not forget the last [SEP]"


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
