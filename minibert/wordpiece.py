"""WordPiece (lesson 01, steps 2 and 3): cut a word into vocabulary pieces, and learn the vocabulary.

``WordpieceTokenizer`` cuts each word greedily, longest piece first: ``"unaffable" -> ["un", "##aff",
"##able"]``; ``##`` marks a piece that continues a word. ``load_vocab`` reads the ``vocab.txt`` it uses.

Training starts from single characters and repeatedly glues together the pair of adjacent pieces with the
best score, until the vocabulary has the size asked for. A piece that continues a word carries the prefix
``##``, so ``"hug"`` starts as ``h ##u ##g``, and merging ``h`` with ``##u`` gives the new piece ``hu``.
``train_wordpiece`` is the readable trainer the lesson walks through; ``train_wordpiece_fast`` does the same
job with the Rust ``tokenizers`` library, for comparison and for large corpora.
"""
from __future__ import annotations

import functools
import heapq
import os
from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterable

from tqdm.auto import tqdm

from minibert.files import atomic_write_text
from minibert.basic_tokenizer import BasicTokenizer

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
VOCAB_FILE = "vocab.txt"
# Google's BERT allows 200 characters per word; transformers (our reference for ids) allows 100.
MAX_INPUT_CHARS_PER_WORD = 100
Pair = tuple[str, str]


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
# Learning a vocabulary


def train_wordpiece(texts: Iterable[str], vocab_size: int, min_frequency: int = 2, do_lower_case: bool = True,
                    special_tokens: Iterable[str] = SPECIAL_TOKENS, show_progress: bool = False) -> list[str]:
    """Learn a WordPiece vocabulary from ``texts``; returns the tokens in id order, special tokens first.

    The vocabulary holds every character of the training text (so nothing in it becomes ``[UNK]``), then
    the merged pieces in the order they were learned. Only pairs seen at least ``min_frequency`` times are
    merged; training stops early when no such pair is left.
    """
    word_counts = _count_words(texts, do_lower_case, show_progress)
    vocab = list(dict.fromkeys(special_tokens))
    words = [_split_into_characters(word) for word in word_counts]
    counts = list(word_counts.values())
    alphabet = sorted({symbol for word in words for symbol in word} - set(vocab))
    vocab += alphabet
    if len(vocab) > vocab_size:
        raise ValueError(f"vocab_size={vocab_size} is too small: the special tokens and the {len(alphabet)} "
                         f"characters of the training text already make {len(vocab)} tokens")
    merger = _PairCounts(words, counts, min_frequency)
    known = set(vocab)
    with tqdm(total=vocab_size - len(vocab), desc="WordPiece merges", disable=not show_progress) as progress:
        while len(vocab) < vocab_size:
            pair = merger.best_pair()
            if pair is None:  # nothing frequent enough is left to merge
                break
            new_token = merger.merge(pair)
            if new_token not in known:  # two different merges can spell the same piece
                known.add(new_token)
                vocab.append(new_token)
                progress.update()
    return vocab


def _count_words(texts: Iterable[str], do_lower_case: bool, show_progress: bool) -> Counter[str]:
    """How often each word occurs, words as BERT's basic tokenizer cuts them (punctuation apart)."""
    basic = BasicTokenizer(do_lower_case=do_lower_case)
    counts: Counter[str] = Counter()
    for text in tqdm(texts, desc="counting words", disable=not show_progress):
        counts.update(basic.tokenize(text))
    return counts


def _split_into_characters(word: str) -> list[str]:
    """``"hug" -> ["h", "##u", "##g"]``"""
    return [word[0]] + ["##" + char for char in word[1:]]


def _merge_symbols(first: str, second: str) -> str:
    """``("h", "##u") -> "hu"``, ``("##u", "##g") -> "##ug"``: the second piece loses its ``##``."""
    return first + second[2:]


class _PairCounts:
    """The words as lists of pieces, with counts kept up to date as pairs are merged.

    The WordPiece score of a pair is freq(ab) / (freq(a) * freq(b)). BPE merges the most frequent pair;
    that favours pairs of common pieces that are often adjacent merely because both are common ("e" and
    "##s"). Dividing by the pieces' own frequencies asks instead how much more often a and b occur
    together than chance would predict (it is the ratio p(ab) / (p(a) p(b)), up to a constant), so
    pieces that mostly occur with each other are merged first, even when rare.

    Recounting every pair after every merge is quadratic; instead only the words that contain the merged
    pair are updated. A heap gives the best pair; its entries may be stale (a count changed after the
    entry was pushed), so a popped entry is checked against the current score and pushed again if it
    changed. A merge of (a, b) raises the score of every pair containing a or b (their frequencies fell),
    so those pairs are pushed again too.
    """

    def __init__(self, words: list[list[str]], counts: list[int], min_frequency: int):
        self.words = words
        self.counts = counts
        self.min_frequency = min_frequency
        self.symbol_freq: Counter[str] = Counter()
        self.pair_freq: Counter[Pair] = Counter()
        self.words_with_pair: defaultdict[Pair, set[int]] = defaultdict(set)
        self.pairs_with_symbol: defaultdict[str, set[Pair]] = defaultdict(set)
        for index in range(len(words)):
            self._add_word(index)
        self.heap: list[tuple[float, Pair]] = []
        self._push(self.pair_freq)

    def score(self, pair: Pair) -> float:
        return self.pair_freq[pair] / (self.symbol_freq[pair[0]] * self.symbol_freq[pair[1]])

    def best_pair(self) -> Pair | None:
        """The pair with the highest score (ties: the alphabetically first), or None."""
        while self.heap:
            negative_score, pair = heapq.heappop(self.heap)
            if self.pair_freq[pair] < self.min_frequency:
                continue  # merged away, or too rare
            if -negative_score != self.score(pair):
                heapq.heappush(self.heap, (-self.score(pair), pair))  # stale entry: re-file it
                continue
            return pair
        return None

    def merge(self, pair: Pair) -> str:
        """Replace every occurrence of ``pair`` by the merged piece; returns that piece."""
        new_symbol = _merge_symbols(*pair)
        for index in list(self.words_with_pair[pair]):
            self._remove_word(index)
            self.words[index] = _merge_in_word(self.words[index], pair, new_symbol)
            self._add_word(index)
            self._push(zip(self.words[index], self.words[index][1:]))
        self._push(self.pairs_with_symbol[pair[0]] | self.pairs_with_symbol[pair[1]])
        return new_symbol

    def _push(self, pairs: Iterable[Pair]) -> None:
        for pair in set(pairs):
            if self.pair_freq[pair] >= self.min_frequency:
                heapq.heappush(self.heap, (-self.score(pair), pair))

    def _add_word(self, index: int) -> None:
        self._count_word(index, +1)

    def _remove_word(self, index: int) -> None:
        self._count_word(index, -1)

    def _count_word(self, index: int, sign: int) -> None:
        """Add (sign=+1) or remove (sign=-1) one word's pieces and pairs from the counts."""
        word, count = self.words[index], self.counts[index]
        for symbol in word:
            self.symbol_freq[symbol] += sign * count
        for pair in zip(word, word[1:]):
            self.pair_freq[pair] += sign * count
            if sign > 0:
                self.words_with_pair[pair].add(index)
                self.pairs_with_symbol[pair[0]].add(pair)
                self.pairs_with_symbol[pair[1]].add(pair)
            else:
                self.words_with_pair[pair].discard(index)
                if self.pair_freq[pair] == 0:
                    del self.pair_freq[pair], self.words_with_pair[pair]
                    self.pairs_with_symbol[pair[0]].discard(pair)
                    self.pairs_with_symbol[pair[1]].discard(pair)


def _merge_in_word(word: list[str], pair: Pair, new_symbol: str) -> list[str]:
    """``(["h", "##u", "##g"], ("h", "##u")) -> ["hu", "##g"]``, left to right, non-overlapping."""
    merged = []
    i = 0
    while i < len(word):
        if i + 1 < len(word) and (word[i], word[i + 1]) == pair:
            merged.append(new_symbol)
            i += 2
        else:
            merged.append(word[i])
            i += 1
    return merged


def train_wordpiece_fast(texts: Iterable[str], vocab_size: int, min_frequency: int = 2,
                         do_lower_case: bool = True, special_tokens: Iterable[str] = SPECIAL_TOKENS,
                         show_progress: bool = False) -> list[str]:
    """The same job with Hugging Face's ``tokenizers`` (Rust): the tokens in id order, special tokens first.

    Note that its WordPieceTrainer merges by raw pair frequency, like BPE, not by the WordPiece score;
    the vocabularies therefore differ from ``train_wordpiece``'s, while the tokenizer that uses them is the
    same greedy longest-match WordPiece.
    """
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=do_lower_case)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, min_frequency=min_frequency,
                                        special_tokens=list(dict.fromkeys(special_tokens)),
                                        show_progress=show_progress, continuing_subword_prefix="##")
    tokenizer.train_from_iterator(texts, trainer)
    vocab = tokenizer.get_vocab()
    return sorted(vocab, key=vocab.__getitem__)


def write_vocab(tokens: Iterable[str], path: str | os.PathLike) -> Path:
    """Write a ``vocab.txt``: one token per line, the line number (from 0) is the id."""
    tokens = list(tokens)
    seen: dict[str, int] = {}
    for index, token in enumerate(tokens):
        if any(c in token for c in "\r\n") or not token:
            raise ValueError(f"token {index} ({token!r}) is empty or contains a line break")
        if token in seen:
            raise ValueError(f"token {token!r} appears twice, at ids {seen[token]} and {index}")
        seen[token] = index
    return atomic_write_text(path, "".join(token + "\n" for token in tokens))
