"""BERT's tokenizer: text -> WordPiece tokens -> ids (lesson 01).

Three layers, each a class:

1. ``BasicTokenizer`` cleans the text and cuts it into words: it drops control characters, turns every
   kind of whitespace into a word boundary, puts each CJK character in a word of its own, lower-cases and
   strips accents (uncased models), and splits punctuation off into one-character words.
2. ``WordpieceTokenizer`` cuts each word into vocabulary pieces by greedy longest-match-first:
   ``"unaffable" -> ["un", "##aff", "##able"]``; ``##`` marks a piece that continues a word.
3. ``BertTokenizer`` turns one text or a pair into model inputs: ``[CLS] A [SEP] B [SEP]`` ids,
   ``token_type_ids`` (segment A = 0, B = 1), ``attention_mask``, truncation, padding, overflow windows for
   question answering, and the character span of every token in the original text.

The ids, character offsets and overflow windows are those of transformers 5's ``BertTokenizer`` (the
Rust-backed one), except on characters its older Unicode tables (Unicode 8.0) class differently from
Python's ``unicodedata`` (punctuation, format characters and accents assigned since), and on U+2B820-U+2B91F,
CJK ideographs to Google's BERT and minibert, which the Rust tokenizer's CJK range starts after.
"""
from __future__ import annotations

import functools
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, NamedTuple, Sequence

from minibert.files import atomic_write_text
from minibert.hub import resolve_model_dir

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
VOCAB_FILE = "vocab.txt"
TOKENIZER_CONFIG_FILE = "tokenizer_config.json"
# Google's BERT allows 200 characters per word; transformers (our reference for ids) allows 100.
MAX_INPUT_CHARS_PER_WORD = 100
TRUNCATION_STRATEGIES = ("longest_first", "only_first", "only_second", "do_not_truncate")
PADDING_STRATEGIES = ("longest", "max_length", "do_not_pad")


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


# ----------------------------------------------------------------------------------------------------------
# 2. WordPiece: word -> vocabulary pieces.

class WordpieceTokenizer:
    """Greedy longest-match-first WordPiece.

    Start at the first character, take the longest prefix that is in the vocabulary, then continue from
    where it ended with the longest ``##``-prefixed piece, and so on. If at some point no piece matches,
    the whole word becomes ``unk_token``: a word is never half-known.
    """

    def __init__(self, vocab: dict[str, int], unk_token: str = "[UNK]",
                 max_input_chars_per_word: int = MAX_INPUT_CHARS_PER_WORD):
        self.vocab = vocab
        self.unk_token = unk_token
        self.max_input_chars_per_word = max_input_chars_per_word
        # No piece is longer than the longest vocabulary entry, so no need to try longer substrings.
        self._longest_piece = max((len(t) for t in vocab), default=0)
        self._tokenize_cached = functools.lru_cache(maxsize=1 << 16)(self._tokenize_uncached)

    def tokenize(self, word: str) -> list[str]:
        """``"unaffable" -> ["un", "##aff", "##able"]``; ``[unk_token]`` when the word cannot be covered."""
        return list(self._tokenize_cached(word))

    def _tokenize_uncached(self, word: str) -> tuple[str, ...]:
        if len(word) > self.max_input_chars_per_word:
            return (self.unk_token,)
        pieces = []
        start = 0
        while start < len(word):
            prefix = "##" if start > 0 else ""
            end = min(len(word), start + self._longest_piece)
            while end > start and prefix + word[start:end] not in self.vocab:
                end -= 1
            if end == start:  # not even one character matches
                return (self.unk_token,)
            pieces.append(prefix + word[start:end])
            start = end
        return tuple(pieces)


# ----------------------------------------------------------------------------------------------------------
# The vocabulary file: one token per line, the line number (from 0) is the id.

def load_vocab(vocab_file: str | os.PathLike) -> dict[str, int]:
    """Read ``vocab.txt`` into {token: id}. A missing, unreadable or non-UTF-8 file, or a token listed
    twice, is an error that says where."""
    path = Path(vocab_file)
    if not path.is_file():
        raise FileNotFoundError(f"vocabulary file not found: {path}")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise OSError(f"cannot read vocabulary file {path}: {err}") from err
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise ValueError(f"vocabulary file {path} is not UTF-8 text: undecodable byte on line {line}") from err
    # Same line breaks as Python's text mode (and so transformers): \r\n and \r end a line too.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines[-1] == "":
        lines.pop()
    vocab: dict[str, int] = {}
    for index, token in enumerate(lines):
        if token in vocab:
            raise ValueError(f"vocabulary file {path}: token {token!r} appears twice, "
                             f"on lines {vocab[token] + 1} and {index + 1}")
        vocab[token] = index
    return vocab


# ----------------------------------------------------------------------------------------------------------
# 3. BertTokenizer: texts -> model inputs.

class BatchEncoding(dict):
    """The tokenizer's output: a dict (``input_ids``, ``token_type_ids``, ``attention_mask``, ...)
    whose keys can also be read as attributes (``enc.input_ids``)."""

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def to(self, device) -> "BatchEncoding":
        """Move every tensor to ``device`` (as transformers' ``BatchEncoding.to``); lists stay as they are."""
        import torch  # only now: the tokenizer itself needs no torch

        return BatchEncoding({key: value.to(device) if isinstance(value, torch.Tensor) else value
                              for key, value in self.items()})


@dataclass
class _Sequence:
    """One tokenized text: ids with, per token, its character span and the index of its word."""
    ids: list[int] = field(default_factory=list)
    offsets: list[tuple[int, int]] = field(default_factory=list)
    word_ids: list[int | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)

    def append(self, token_id: int, offset: tuple[int, int], word_id: int | None) -> None:
        self.ids.append(token_id)
        self.offsets.append(offset)
        self.word_ids.append(word_id)

    def __getitem__(self, s: slice) -> "_Sequence":
        return _Sequence(self.ids[s], self.offsets[s], self.word_ids[s])

    def __add__(self, other: "_Sequence") -> "_Sequence":
        return _Sequence(self.ids + other.ids, self.offsets + other.offsets, self.word_ids + other.word_ids)

    def __iadd__(self, other: "_Sequence") -> "_Sequence":
        """In place, so that building a long text token by token stays linear."""
        self.ids += other.ids
        self.offsets += other.offsets
        self.word_ids += other.word_ids
        return self


class BertTokenizer:
    """BERT's WordPiece tokenizer, with the call API of Hugging Face tokenizers.

    >>> tok = BertTokenizer.from_pretrained("minilm")
    >>> tok("Hello, world!")["input_ids"]
    [101, 7592, 1010, 2088, 999, 102]
    """

    def __init__(self, vocab_file: str | os.PathLike, do_lower_case: bool = True,
                 never_split: Iterable[str] | None = None, tokenize_chinese_chars: bool = True,
                 strip_accents: bool | None = None, model_max_length: int = 512,
                 unk_token: str = "[UNK]", sep_token: str = "[SEP]", pad_token: str = "[PAD]",
                 cls_token: str = "[CLS]", mask_token: str = "[MASK]",
                 max_input_chars_per_word: int = MAX_INPUT_CHARS_PER_WORD):
        self.vocab = load_vocab(vocab_file)
        self.ids_to_tokens = {i: t for t, i in self.vocab.items()}
        self.unk_token, self.sep_token, self.pad_token = unk_token, sep_token, pad_token
        self.cls_token, self.mask_token = cls_token, mask_token
        self.all_special_tokens = [pad_token, unk_token, cls_token, sep_token, mask_token]
        missing = [t for t in self.all_special_tokens if t not in self.vocab]
        if missing:
            raise ValueError(f"vocabulary file {vocab_file} lacks the special tokens {missing}")
        self.never_split = list(never_split or ())
        self.model_max_length = model_max_length
        self.basic_tokenizer = BasicTokenizer(do_lower_case, self.never_split, tokenize_chinese_chars,
                                              strip_accents)
        self.wordpiece_tokenizer = WordpieceTokenizer(self.vocab, unk_token, max_input_chars_per_word)
        # Special tokens typed in the text ("a [MASK] here") are found before any cleaning or lower-casing.
        self._special_pattern = re.compile("(" + "|".join(map(re.escape, self.all_special_tokens)) + ")")

    # --- vocabulary --------------------------------------------------------------------------------------

    @property
    def do_lower_case(self) -> bool:
        return self.basic_tokenizer.do_lower_case

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def __len__(self) -> int:
        return len(self.vocab)

    def get_vocab(self) -> dict[str, int]:
        return dict(self.vocab)

    @property
    def pad_token_id(self) -> int:
        return self.vocab[self.pad_token]

    @property
    def unk_token_id(self) -> int:
        return self.vocab[self.unk_token]

    @property
    def cls_token_id(self) -> int:
        return self.vocab[self.cls_token]

    @property
    def sep_token_id(self) -> int:
        return self.vocab[self.sep_token]

    @property
    def mask_token_id(self) -> int:
        return self.vocab[self.mask_token]

    @property
    def all_special_ids(self) -> list[int]:
        return [self.vocab[t] for t in self.all_special_tokens]

    def convert_tokens_to_ids(self, tokens: str | Sequence[str]) -> int | list[int]:
        """Token(s) to id(s); a token not in the vocabulary gets the ``[UNK]`` id."""
        if isinstance(tokens, str):
            return self.vocab.get(tokens, self.unk_token_id)
        return [self.vocab.get(t, self.unk_token_id) for t in tokens]

    def convert_ids_to_tokens(self, ids, skip_special_tokens: bool = False) -> str | list[str]:
        """Id(s) (int, list or 1-D tensor) to token(s); an id outside the vocabulary is an error."""
        if hasattr(ids, "tolist"):
            ids = ids.tolist()
        if isinstance(ids, int):
            return self._id_to_token(ids)
        special = set(self.all_special_ids) if skip_special_tokens else set()
        return [self._id_to_token(i) for i in ids if i not in special]

    def _id_to_token(self, index: int) -> str:
        if not isinstance(index, int) or isinstance(index, bool):
            raise TypeError(f"token ids must be integers, got {index!r}")
        if index not in self.ids_to_tokens:
            raise IndexError(f"token id {index} is outside the vocabulary (ids 0..{len(self.vocab) - 1})")
        return self.ids_to_tokens[index]

    # --- text -> tokens -----------------------------------------------------------------------------------

    def tokenize(self, text: str) -> list[str]:
        """``"Hello, unaffable world" -> ["hello", ",", "una", "##ffa", "##ble", "world"]``"""
        return [self.ids_to_tokens[i] for i in self._encode_text(text).ids]

    def _encode_text(self, text: str) -> _Sequence:
        """Tokenize one text into ids, with character spans and word indices (no special tokens added)."""
        if not isinstance(text, str):
            raise TypeError(f"expected a str to tokenize, got {type(text).__name__}")
        seq = _Sequence()
        word_index = 0
        position = 0
        for chunk in self._special_pattern.split(text):  # odd-numbered chunks are special tokens
            if chunk in self.all_special_tokens:
                seq.append(self.vocab[chunk], (position, position + len(chunk)), word_index)
                word_index += 1
            else:
                for word in self.basic_tokenizer.tokenize_with_offsets(chunk):
                    self._encode_word(word, position, word_index, seq)
                    word_index += 1
            position += len(chunk)
        return seq

    def _encode_word(self, word: Word, position: int, word_index: int, seq: _Sequence) -> None:
        """WordPiece one basic word onto ``seq``; each piece spans the original characters of its letters."""
        if word.text in self.basic_tokenizer.never_split:
            pieces: Sequence[str] = (word.text,)
        else:
            pieces = self.wordpiece_tokenizer._tokenize_cached(word.text)
        start = 0
        for piece in pieces:
            # [UNK] covers the whole word; other pieces cover their own letters ("##" is not a letter).
            length = len(word.text) if piece == self.unk_token else len(piece) - 2 * piece.startswith("##")
            begin, end = word.span(start, start + length)
            seq.append(self.vocab[piece], (position + begin, position + end), word_index)
            start += length

    def _encode_words(self, words: Sequence[str]) -> _Sequence:
        """Pre-split words (NER data): each word is tokenized on its own, its offsets count from its start."""
        seq = _Sequence()
        for index, word in enumerate(words):
            piece = self._encode_text(word)
            seq += _Sequence(piece.ids, piece.offsets, [index] * len(piece))
        return seq

    # --- tokens -> text -----------------------------------------------------------------------------------

    def decode(self, ids, skip_special_tokens: bool = False, clean_up_tokenization_spaces: bool = True) -> str:
        """Ids back to text: pieces are joined (``"una ##ffa ##ble" -> "unaffable"``), and spaces before
        punctuation and contractions are removed, as transformers does. Lower-casing and stripped accents
        cannot be undone."""
        tokens = self.convert_ids_to_tokens(ids, skip_special_tokens=skip_special_tokens)
        if isinstance(tokens, str):
            tokens = [tokens]
        text = " ".join(tokens).replace(" ##", "").strip()
        if clean_up_tokenization_spaces:
            for before, after in ((" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"),
                                  (" n't", "n't"), (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"),
                                  (" 're", "'re")):
                text = text.replace(before, after)
        return text

    def batch_decode(self, sequences, skip_special_tokens: bool = False) -> list[str]:
        return [self.decode(ids, skip_special_tokens=skip_special_tokens) for ids in sequences]

    # --- model inputs -------------------------------------------------------------------------------------

    def __call__(self, text, text_pair=None, max_length: int | None = None,
                 truncation: bool | str = False, padding: bool | str = False, return_tensors: str | None = None,
                 return_offsets_mapping: bool = False, return_word_ids: bool = False, stride: int = 0,
                 return_overflowing_tokens: bool = False, is_split_into_words: bool = False,
                 add_special_tokens: bool = True) -> BatchEncoding:
        """Tokenize one text, a pair, or a batch of either, into model inputs.

        ``truncation``: ``True``/``"longest_first"`` cuts the longer sequence of a pair one token at a time,
        ``"only_first"``/``"only_second"`` cut only that one. ``padding``: ``True``/``"longest"`` pads to the
        longest in the batch, ``"max_length"`` to ``max_length``. With ``return_overflowing_tokens=True`` the
        truncated text is not lost but cut into windows that overlap by ``stride`` tokens, each a row of its
        own; ``overflow_to_sample_mapping`` says which input each row came from.

        A sequence longer than ``max_length`` with ``truncation=False`` is a ``ValueError`` (transformers
        only warns, and the model would fail later on it).
        """
        truncation = _truncation_strategy(truncation)
        padding = _padding_strategy(padding)
        if return_tensors not in (None, "pt"):
            raise ValueError(f"return_tensors={return_tensors!r} is not supported; use None or 'pt'")
        if max_length is None and (truncation != "do_not_truncate" or padding == "max_length"):
            max_length = self.model_max_length
        batched, texts, pairs = self._as_batch(text, text_pair, is_split_into_words)
        encode = self._encode_words if is_split_into_words else self._encode_text

        rows: list[tuple[_Sequence, _Sequence | None]] = []
        sample_mapping: list[int] = []
        for index, first in enumerate(texts):
            a = encode(first)
            b = encode(pairs[index]) if pairs is not None else None
            windows = self._truncate(a, b, truncation, max_length, stride, return_overflowing_tokens,
                                     add_special_tokens)
            rows += windows
            sample_mapping += [index] * len(windows)

        encodings = [self._build_inputs(a, b, add_special_tokens) for a, b in rows]
        too_long = [len(e["input_ids"]) for e in encodings
                    if max_length is not None and len(e["input_ids"]) > max_length]
        if too_long:
            raise ValueError(f"a sequence of {max(too_long)} tokens is longer than max_length={max_length}; "
                             "pass truncation=True (or a truncation strategy) to cut it")
        if padding != "do_not_pad":
            target = max_length if padding == "max_length" else max(len(e["input_ids"]) for e in encodings)
            encodings = [self._pad(e, target) for e in encodings]
        return self._to_batch_encoding(encodings, sample_mapping, batched or return_overflowing_tokens,
                                       return_tensors, return_offsets_mapping, return_word_ids,
                                       return_overflowing_tokens)

    @staticmethod
    def _as_batch(text, text_pair, is_split_into_words: bool) -> tuple[bool, list, list | None]:
        """Whether the input is a batch, and the texts and pairs as lists."""
        def is_batch(x) -> bool:
            if isinstance(x, str):
                return False
            if not isinstance(x, (list, tuple)):
                raise TypeError(f"text must be a str or a list of str, got {type(x).__name__}")
            return not is_split_into_words or (len(x) > 0 and not isinstance(x[0], str))

        batched = is_batch(text)
        texts = list(text) if batched else [text]
        if not texts:
            raise ValueError("the batch is empty: pass at least one text")
        pairs = None
        if text_pair is not None:
            if is_batch(text_pair) != batched:
                raise ValueError("text and text_pair must both be single examples or both be batches")
            pairs = list(text_pair) if batched else [text_pair]
            if len(pairs) != len(texts):
                raise ValueError(f"text has {len(texts)} examples but text_pair has {len(pairs)}")
        return batched, texts, pairs

    def _truncate(self, a: _Sequence, b: _Sequence | None, strategy: str, max_length: int | None, stride: int,
                  overflow: bool, add_special_tokens: bool) -> list[tuple[_Sequence, _Sequence | None]]:
        """Cut (a, b) to fit ``max_length``: one (a, b), or with ``overflow`` every window of the cut text."""
        num_special = (3 if b is not None else 2) if add_special_tokens else 0
        total = len(a) + (len(b) if b is not None else 0) + num_special
        if strategy == "do_not_truncate" or total <= max_length:
            return [(a, b)]
        if max_length < num_special:
            raise ValueError(f"max_length={max_length} cannot even hold the {num_special} special tokens")
        if b is None:
            strategy = "only_first" if strategy == "longest_first" else strategy
            if strategy == "only_second":
                raise ValueError("truncation='only_second' needs a pair of texts, but got a single text")
        if strategy == "longest_first":
            if overflow:
                raise ValueError("overflowing tokens need truncation='only_first' or 'only_second' for a pair; "
                                 "'longest_first' would cut both texts")
            return [_truncate_longest_first(a, b, total - max_length)]
        cut, kept = (a, b) if strategy == "only_first" else (b, a)
        room = max_length - num_special - (len(kept) if kept is not None else 0)
        if room <= 0:
            which = "second" if strategy == "only_first" else "first"
            raise ValueError(f"truncation={strategy!r} cannot fit max_length={max_length}: the {which} text "
                             f"alone has {len(kept)} tokens, plus {num_special} special tokens")
        windows = _windows(len(cut), room, stride) if overflow else [(0, room)]
        if strategy == "only_first":
            return [(cut[i:j], kept) for i, j in windows]
        return [(kept, cut[i:j]) for i, j in windows]

    def _build_inputs(self, a: _Sequence, b: _Sequence | None, add_special_tokens: bool) -> dict[str, list]:
        """``[CLS] A [SEP]`` or ``[CLS] A [SEP] B [SEP]``, with segment ids 0 for A and 1 for B."""
        if add_special_tokens:
            sep = _Sequence([self.sep_token_id], [(0, 0)], [None])
            first = _Sequence([self.cls_token_id], [(0, 0)], [None]) + a + sep
            second = b + sep if b is not None else _Sequence()
        else:
            first, second = a, b if b is not None else _Sequence()
        seq = first + second
        # Segment 1 for B even without special tokens, as transformers 5 (transformers 4's Python tokenizer
        # gave 0 everywhere then).
        types = [0] * len(first) + [1] * len(second)
        return {"input_ids": seq.ids, "token_type_ids": types, "attention_mask": [1] * len(seq),
                "offset_mapping": seq.offsets, "word_ids": seq.word_ids}

    def _pad(self, encoding: dict[str, list], length: int) -> dict[str, list]:
        """Pad on the right to ``length``: [PAD] ids, segment 0, attention 0, no span, no word."""
        n = length - len(encoding["input_ids"])
        fill = {"input_ids": self.pad_token_id, "token_type_ids": 0, "attention_mask": 0,
                "offset_mapping": (0, 0), "word_ids": None}
        return {key: values + [fill[key]] * n for key, values in encoding.items()}

    @staticmethod
    def _to_batch_encoding(encodings: list[dict[str, list]], sample_mapping: list[int], batched: bool,
                           return_tensors: str | None, return_offsets_mapping: bool, return_word_ids: bool,
                           return_overflowing_tokens: bool) -> BatchEncoding:
        keys = ["input_ids", "token_type_ids", "attention_mask"]
        keys += ["offset_mapping"] * return_offsets_mapping + ["word_ids"] * return_word_ids
        out = BatchEncoding({key: [e[key] for e in encodings] for key in keys})
        if return_overflowing_tokens:
            out["overflow_to_sample_mapping"] = sample_mapping
        if return_tensors == "pt":
            return _to_tensors(out)
        if not batched:
            out = BatchEncoding({key: values[0] for key, values in out.items()})
        return out

    # --- files --------------------------------------------------------------------------------------------

    @classmethod
    def from_pretrained(cls, path_or_name: str | os.PathLike, **overrides) -> "BertTokenizer":
        """Load ``vocab.txt`` and ``tokenizer_config.json`` (do_lower_case, ...) from a directory, the short
        name ``"minilm"`` or a hub name. Keyword arguments override the config file."""
        directory = resolve_model_dir(path_or_name)
        vocab_file = directory / VOCAB_FILE
        if not vocab_file.is_file():
            raise FileNotFoundError(f"no {VOCAB_FILE} in {directory}: is it a BERT tokenizer directory?")
        settings = {**_read_tokenizer_config(directory / TOKENIZER_CONFIG_FILE), **overrides}
        return cls(vocab_file, **settings)

    def save_pretrained(self, directory: str | os.PathLike) -> Path:
        """Write ``vocab.txt`` and ``tokenizer_config.json``; transformers' BertTokenizer can load them."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        tokens = [self.ids_to_tokens[i] for i in range(len(self.vocab))]
        atomic_write_text(directory / VOCAB_FILE, "".join(t + "\n" for t in tokens))
        config = {
            "tokenizer_class": "BertTokenizer",
            "do_lower_case": self.basic_tokenizer.do_lower_case,
            "tokenize_chinese_chars": self.basic_tokenizer.tokenize_chinese_chars,
            "strip_accents": self.basic_tokenizer.strip_accents,
            "never_split": self.never_split or None,
            "model_max_length": self.model_max_length,
            "unk_token": self.unk_token, "sep_token": self.sep_token, "pad_token": self.pad_token,
            "cls_token": self.cls_token, "mask_token": self.mask_token,
            "clean_up_tokenization_spaces": True,
        }
        atomic_write_text(directory / TOKENIZER_CONFIG_FILE, json.dumps(config, indent=2) + "\n")
        return directory

    def __repr__(self) -> str:
        return (f"BertTokenizer(vocab_size={self.vocab_size}, do_lower_case={self.do_lower_case}, "
                f"model_max_length={self.model_max_length})")


# ----------------------------------------------------------------------------------------------------------
# Helpers of BertTokenizer.__call__

def _truncation_strategy(truncation: bool | str) -> str:
    if truncation is True:
        return "longest_first"
    if truncation is False or truncation is None:
        return "do_not_truncate"
    if truncation not in TRUNCATION_STRATEGIES:
        raise ValueError(f"unknown truncation strategy {truncation!r}; use one of {TRUNCATION_STRATEGIES}")
    return truncation


def _padding_strategy(padding: bool | str) -> str:
    if padding is True:
        return "longest"
    if padding is False or padding is None:
        return "do_not_pad"
    if padding not in PADDING_STRATEGIES:
        raise ValueError(f"unknown padding strategy {padding!r}; use one of {PADDING_STRATEGIES}")
    return padding


def _truncate_longest_first(a: _Sequence, b: _Sequence, excess: int) -> tuple[_Sequence, _Sequence]:
    """Remove ``excess`` tokens from the ends: first cut the longer sequence down to the other's length,
    then share what is left to cut, the odd token coming off the one that was shorter (the first on a tie).

    This is transformers 5's rule (its Rust tokenizer keeps ``budget // 2`` tokens of the shorter text and
    the rest of the budget of the longer, the second counting as the longer on a tie). transformers 4 and
    Google's ``truncate_seq_pair`` (the pre-training recipe, ``pretraining_data.truncate_seq_pair``) take the
    odd token off the second whichever was longer, so the rules differ by one token when the cut left to
    share is odd and the first text is not the longer.
    """
    first_cut = min(abs(len(a) - len(b)), excess)
    shared = excess - first_cut
    if len(a) > len(b):
        cut_a = first_cut + shared // 2
    else:
        cut_a = shared - shared // 2
    cut_b = excess - cut_a
    return a[: len(a) - cut_a], b[: len(b) - cut_b]


def _windows(length: int, size: int, stride: int) -> list[tuple[int, int]]:
    """Windows of ``size`` tokens over ``length`` tokens, each overlapping the previous one by ``stride``.

    This is how a long context is read for question answering: an answer cut by one window's edge lies
    whole inside the next window when it is shorter than the overlap.
    """
    if not 0 <= stride < size:
        raise ValueError(f"stride={stride} must be at least 0 and smaller than the {size} tokens left for "
                         "the truncated text in each window")
    windows = []
    start = 0
    while True:
        end = min(start + size, length)
        windows.append((start, end))
        if end == length:
            return windows
        start += size - stride


def _to_tensors(encoding: BatchEncoding) -> BatchEncoding:
    """Lists to ``torch.long`` tensors of shape (B, T) (offsets (B, T, 2)); word ids stay lists (they hold
    None)."""
    import torch

    lengths = {len(row) for row in encoding["input_ids"]}
    if len(lengths) > 1:
        raise ValueError(f"cannot make one tensor from sequences of lengths {sorted(lengths)}: "
                         "pass padding=True (or padding='max_length')")
    return BatchEncoding({key: values if key == "word_ids" else torch.tensor(values, dtype=torch.long)
                          for key, values in encoding.items()})


def _read_tokenizer_config(path: Path) -> dict:
    """The BertTokenizer settings in ``tokenizer_config.json`` (none if the file is absent)."""
    if not path.is_file():
        return {}
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"cannot read tokenizer config {path}: {err}") from err
    settings = {key: config[key] for key in ("do_lower_case", "never_split", "tokenize_chinese_chars",
                                             "strip_accents", "model_max_length") if config.get(key) is not None}
    for key in ("unk_token", "sep_token", "pad_token", "cls_token", "mask_token"):
        value = config.get(key)
        if isinstance(value, dict):  # transformers may store an AddedToken as {"content": "[UNK]", ...}
            value = value.get("content")
        if isinstance(value, str):
            settings[key] = value
    return settings
