"""BERT's tokenizer: text -> WordPiece tokens -> ids (lesson 01).

Three layers, each a class (the first two in their own modules):

1. ``BasicTokenizer`` (``minibert.basic_tokenizer``) cleans the text and cuts it into words: it drops
   control characters, turns every kind of whitespace into a word boundary, puts each CJK character in a
   word of its own, lower-cases and strips accents (uncased models), and splits punctuation off.
2. ``WordpieceTokenizer`` (``minibert.wordpiece``) cuts each word into vocabulary pieces by greedy
   longest-match-first: ``"unaffable" -> ["un", "##aff", "##able"]``; ``##`` marks a continuing piece.
3. ``BertTokenizer`` turns one text or a pair into model inputs: ``[CLS] A [SEP] B [SEP]`` ids,
   ``token_type_ids`` (segment A = 0, B = 1), ``attention_mask``, truncation, padding, overflow windows for
   question answering, and the character span of every token in the original text.

The ids, character offsets and overflow windows are those of transformers 5's ``BertTokenizer`` (the
Rust-backed one), except on characters its older Unicode tables (Unicode 8.0) class differently from
Python's ``unicodedata`` (punctuation, format characters and accents assigned since), and on U+2B820-U+2B91F,
CJK ideographs to Google's BERT and minibert, which the Rust tokenizer's CJK range starts after.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Iterable, Sequence

from minibert.basic_tokenizer import BasicTokenizer, Word
from minibert.encoding import (BatchEncoding, TokenSequence, padding_strategy, to_tensors, truncate_longest_first,
                               truncation_strategy, windows)
from minibert.files import atomic_write_text
from minibert.hub import resolve_model_dir
from minibert.wordpiece import MAX_INPUT_CHARS_PER_WORD, VOCAB_FILE, WordpieceTokenizer, load_vocab

TOKENIZER_CONFIG_FILE = "tokenizer_config.json"


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

    def _encode_text(self, text: str) -> TokenSequence:
        """Tokenize one text into ids, with character spans and word indices (no special tokens added)."""
        if not isinstance(text, str):
            raise TypeError(f"expected a str to tokenize, got {type(text).__name__}")
        seq = TokenSequence()
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

    def _encode_word(self, word: Word, position: int, word_index: int, seq: TokenSequence) -> None:
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

    def _encode_words(self, words: Sequence[str]) -> TokenSequence:
        """Pre-split words (NER data): each word is tokenized on its own, its offsets count from its start."""
        seq = TokenSequence()
        for index, word in enumerate(words):
            piece = self._encode_text(word)
            seq += TokenSequence(piece.ids, piece.offsets, [index] * len(piece))
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
        truncation = truncation_strategy(truncation)
        padding = padding_strategy(padding)
        if return_tensors not in (None, "pt"):
            raise ValueError(f"return_tensors={return_tensors!r} is not supported; use None or 'pt'")
        if max_length is None and (truncation != "do_not_truncate" or padding == "max_length"):
            max_length = self.model_max_length
        batched, texts, pairs = self._as_batch(text, text_pair, is_split_into_words)
        encode = self._encode_words if is_split_into_words else self._encode_text

        rows: list[tuple[TokenSequence, TokenSequence | None]] = []
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

    def _truncate(self, a: TokenSequence, b: TokenSequence | None, strategy: str, max_length: int | None, stride: int,
                  overflow: bool, add_special_tokens: bool) -> list[tuple[TokenSequence, TokenSequence | None]]:
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
            return [truncate_longest_first(a, b, total - max_length)]
        cut, kept = (a, b) if strategy == "only_first" else (b, a)
        room = max_length - num_special - (len(kept) if kept is not None else 0)
        if room <= 0:
            which = "second" if strategy == "only_first" else "first"
            raise ValueError(f"truncation={strategy!r} cannot fit max_length={max_length}: the {which} text "
                             f"alone has {len(kept)} tokens, plus {num_special} special tokens")
        spans = windows(len(cut), room, stride) if overflow else [(0, room)]
        if strategy == "only_first":
            return [(cut[i:j], kept) for i, j in spans]
        return [(kept, cut[i:j]) for i, j in spans]

    def _build_inputs(self, a: TokenSequence, b: TokenSequence | None, add_special_tokens: bool) -> dict[str, list]:
        """``[CLS] A [SEP]`` or ``[CLS] A [SEP] B [SEP]``, with segment ids 0 for A and 1 for B."""
        if add_special_tokens:
            sep = TokenSequence([self.sep_token_id], [(0, 0)], [None])
            first = TokenSequence([self.cls_token_id], [(0, 0)], [None]) + a + sep
            second = b + sep if b is not None else TokenSequence()
        else:
            first, second = a, b if b is not None else TokenSequence()
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
            return to_tensors(out)
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
