"""The basic tokenizer: text -> words, each character remembering where it came from (lesson 01, step 1).

It cleans the text (drops control, format and private-use characters), turns every kind of whitespace into a
word boundary, puts each CJK ideograph in a word of its own, lower-cases and strips accents (uncased
models), and splits punctuation off into one-character words. ``minibert.wordpiece`` then cuts each word into
vocabulary pieces, and ``minibert.tokenizer.BertTokenizer`` puts it all together.
"""
from __future__ import annotations

import functools
import unicodedata
from typing import Iterable, NamedTuple

# ----------------------------------------------------------------------------------------------------------
# Character classes. Each is cached: a text has few distinct characters, and unicodedata lookups add up.

@functools.lru_cache(maxsize=None)
def is_control(char: str) -> bool:
    """A character the cleaning drops: control (Cc), format (Cf) or private use (Co), NUL and U+FFFD.

    Tab, newline and carriage return are Cc too, but they separate words, so they count as whitespace.
    Zero-width characters (U+200B, U+200D, U+FEFF) are Cf: dropped, so "a\\u200bb" is the word "ab".
    Unassigned code points (Cn) are kept, as Google's BERT and transformers 5 keep them: "a\\u0e00b" is one
    word, ``[UNK]``. (Google's ``_is_control`` keeps private-use characters too; transformers 5, whose ids
    minibert matches, drops them. transformers 4's Python tokenizer dropped every C* category.)
    """
    if char in "\t\n\r":
        return False
    return char in "\x00\ufffd" or unicodedata.category(char) in ("Cc", "Cf", "Co")


@functools.lru_cache(maxsize=None)
def is_punctuation(char: str) -> bool:
    """Unicode punctuation (P*), plus every ASCII character that is not a letter, digit or space.

    The ASCII rule makes ``$ + < = > ^ ` | ~`` punctuation too, although Unicode calls them symbols.
    """
    cp = ord(char)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def is_chinese_char(char: str) -> bool:
    """A CJK ideograph. Chinese has no spaces between words, so BERT makes each ideograph a word.

    (Japanese kana and Korean Hangul are written with spaces, or at least not with ideographs: they are not
    in these blocks and are tokenized like any other letters.)
    """
    cp = ord(char)
    return (
        0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F
    )


def strip_accents(text: str) -> str:
    """``"café" -> "cafe"``: decompose (NFD: é = e + U+0301) and drop the combining marks (category Mn)."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


# ----------------------------------------------------------------------------------------------------------
# 1. Basic tokenization: text -> words, each character remembering where it came from.

class Word(NamedTuple):
    """A word of the basic tokenizer, and where its characters came from in the original text.

    Character k of ``text`` came from characters ``sources[k] = (i, j)`` of the cleaned whitespace word,
    whose characters are at ``positions`` in the original text (cleaning may have dropped some between).
    """
    text: str
    sources: tuple[tuple[int, int], ...]
    positions: list[int]

    def span(self, a: int, b: int) -> tuple[int, int]:
        """The (start, end) in the original text of characters a..b-1 of this word."""
        return self.positions[self.sources[a][0]], self.positions[self.sources[b - 1][1] - 1] + 1


class BasicTokenizer:
    """Text cleaning, CJK splitting, lower-casing with accent stripping, punctuation splitting.

    ``strip_accents=None`` means "strip when lower-casing", as in Google's uncased BERT. Words in
    ``never_split`` are kept whole and untouched (not even lower-cased).
    """

    def __init__(self, do_lower_case: bool = True, never_split: Iterable[str] | None = None,
                 tokenize_chinese_chars: bool = True, strip_accents: bool | None = None):
        self.do_lower_case = do_lower_case
        self.never_split = frozenset(never_split or ())
        self.tokenize_chinese_chars = tokenize_chinese_chars
        self.strip_accents = strip_accents
        # The same words come back again and again: remember how each one splits.
        self._split_word = functools.lru_cache(maxsize=1 << 16)(self._split_word_uncached)

    def tokenize(self, text: str) -> list[str]:
        """``"Hello, World!" -> ["hello", ",", "world", "!"]``"""
        return [word.text for word in self.tokenize_with_offsets(text)]

    def tokenize_with_offsets(self, text: str) -> list[Word]:
        """Like ``tokenize``, but each word carries the character span of each of its characters."""
        return [Word(token, sources, positions)
                for raw_word, positions in self._whitespace_words(text)
                for token, sources in self._split_word(raw_word)]

    def _whitespace_words(self, text: str) -> list[tuple[str, list[int]]]:
        """Clean the text and cut it at whitespace: [(word, original index of each of its characters)]."""
        words: list[tuple[str, list[int]]] = []
        chars: list[str] = []
        positions: list[int] = []

        def end_word() -> None:
            if chars:
                words.append(("".join(chars), positions.copy()))
                chars.clear()
                positions.clear()

        for i, char in enumerate(text):
            if is_control(char):
                continue
            if char.isspace():
                end_word()
            elif self.tokenize_chinese_chars and is_chinese_char(char):
                end_word()
                words.append((char, [i]))
            else:
                chars.append(char)
                positions.append(i)
        end_word()
        return words

    def _normalize(self, text: str) -> str:
        """Lower-case and strip accents (uncased models); a cased model sees the characters as typed.

        (transformers 4's Python tokenizer also composed the text first (NFC); Google's BERT and transformers
        5 do not, so a cased "cafe\\u0301" stays e + combining accent.)
        """
        if self.do_lower_case:
            # Character by character, as transformers 5's Rust normalizer does: ``str.lower()`` would turn a
            # word-final capital sigma into the final form ς ("ΟΔΟΣ" -> "οδος"), a different vocabulary entry.
            text = "".join(char.lower() for char in text)
        if self.strip_accents or (self.strip_accents is None and self.do_lower_case):
            text = strip_accents(text)
        return text

    def _split_word_uncached(self, word: str) -> list[tuple[str, tuple[tuple[int, int], ...]]]:
        """Normalize one whitespace-delimited word and split punctuation off it.

        Returns [(token, ((i, j) per character))], where characters word[i:j] became that token character.
        """
        if word in self.never_split:
            return [(word, tuple((i, i + 1) for i in range(len(word))))]
        normalized, sources = self._normalize_with_sources(word)
        tokens: list[tuple[str, tuple[tuple[int, int], ...]]] = []
        start = 0
        # A punctuation character is a token of its own; whitespace (which lower-casing can produce
        # in rare cases) ends a token.
        for k, char in enumerate(normalized + " "):
            if char.isspace() or is_punctuation(char):
                if start < k:
                    tokens.append((normalized[start:k], tuple(sources[start:k])))
                if is_punctuation(char):
                    tokens.append((char, (sources[k],)))
                start = k + 1
        return tokens

    def _normalize_with_sources(self, word: str) -> tuple[str, list[tuple[int, int]]]:
        """The normalized word, and for each of its characters the range of word characters it came from.

        Each character is normalized on its own, as transformers 5's Rust normalizer does, so a token spans
        the characters its letters came from: an accent typed separately and stripped belongs to no token
        (uncased "cafe\\u0301" spans 4 characters), one kept is a character of its own. Decomposing a whole
        word can reorder several accents on one letter; should that change the text, every character is said
        to come from the whole word. The text is always the whole-word normalization.
        """
        normalized = self._normalize(word)
        if word.isascii():
            return normalized, [(i, i + 1) for i in range(len(word))]
        sources: list[tuple[int, int]] = []
        pieces = []
        for i, char in enumerate(word):
            piece = self._normalize(char)
            pieces.append(piece)
            sources += [(i, i + 1)] * len(piece)
        if "".join(pieces) != normalized:
            sources = [(0, len(word))] * len(normalized)
        return normalized, sources
