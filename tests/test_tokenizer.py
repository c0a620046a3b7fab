"""minibert's BertTokenizer against transformers 5's ``transformers.BertTokenizer`` (the Rust-backed one, also
named ``BertTokenizerFast``): ids, segments and masks, character offsets, word ids and overflow windows.

transformers 4's Python tokenizer (``BertTokenizerLegacy`` in transformers 5) is no reference any more: it
composes the text (NFC), drops unassigned characters, lower-cases a final sigma to ς, cuts the second text
on a truncation tie and gives segment 0 to B without special tokens. ``test_where_transformers_4_differs``
shows each of these.
"""
from __future__ import annotations

import functools
import json
import random
import string
import unicodedata
from pathlib import Path
from typing import Callable

import pytest
import torch
import transformers
from hypothesis import given, settings
from hypothesis import strategies as st
from transformers.models.bert.tokenization_bert_legacy import BertTokenizerLegacy

from minibert.basic_tokenizer import BasicTokenizer
from minibert.hub import minilm_dir
from minibert.pretraining_data import truncate_seq_pair
from minibert.tokenizer import BertTokenizer
from minibert.wordpiece import WordpieceTokenizer, load_vocab, train_wordpiece_fast, write_vocab

TEXTS = [
    "Hello, world!", "The café serves naïve Ångström-sized crêpes.", "ÉCOLE Ärger ÑANDÚ", "cafe\u0301 vs café",
    "中文字符 and 日本語のテキスト", "한국어 텍스트", "!!!...???", "wait -- what?!", "a\x00b c\u200bd e\u200df \ufeffg",
    "tab\there\r\nnew line\nand\u00a0nbsp\u3000ideographic space", "emoji 😀👍🏽 🇫🇷 ❤️", "pi is 3.14, a million 1,000,000",
    "x" * 300, "", "   ", "\t\n\r", "hello [MASK] world", "[CLS] already [SEP] there [PAD]", "hello[MASK]world",
    "don't stop believin'", "ΟΔΟΣ σοφίας ΣΑΣ.", "a≠b ½ ™ ﬁne", "İstanbul ǅ ß", "$100 + 50% = ~#@^`|",
    "unaffable supercalifragilisticexpialidocious", "Über-wichtig: Straße (München)",
    "unassigned a\u0e00b, private use a\ue000b, soft hyphen a\u00adb", "[mask] and [MASK are not special",
]
PAIRS = [
    ("What is the capital of France?", "Paris is the capital and largest city of France, on the Seine."),
    ("short", "a much longer second sentence with quite a few more words in it than the first"),
    ("a first sentence that is clearly the longer of the two sequences here", "tiny"),
    ("equal length one", "equal length two"),
]
TRUNCATIONS = ("longest_first", "only_first", "only_second")
QUESTION = "In what country is Normandy located?"
CONTEXT = (
    "The Normans (Norman: Nourmands; French: Normands; Latin: Normanni) were the people who in the 10th and "
    "11th centuries gave their name to Normandy, a region in France. They were descended from Norse (\"Norman\" "
    "comes from \"Norseman\") raiders and pirates from Denmark, Iceland and Norway who, under their leader Rollo, "
    "agreed to swear fealty to King Charles III of West Francia. Through generations of assimilation and mixing "
    "with the native Frankish and Roman-Gaulish populations, their descendants would gradually merge with the "
    "Carolingian-based cultures of West Francia. The distinct cultural and ethnic identity of the Normans emerged "
    "initially in the first half of the 10th century, and it continued to evolve over the succeeding centuries. "
    "Café society in Ångström's naïve São Paulo didn't care."
)


def _letters(n: int, start: int = 0) -> str:
    """``n`` one-letter words: ``n`` tokens in any WordPiece vocabulary (each character is in it)."""
    return " ".join(string.ascii_lowercase[(start + i) % 26] for i in range(n))


# Pairs whose texts are both longer than half a budget of 44 or 45 tokens, so that longest_first cuts both:
# the first longer, the second longer, equal lengths (an odd budget leaves an odd cut to share, an even not).
LONG_PAIRS = [(_letters(27), _letters(24, 5)), (_letters(24), _letters(27, 5)), (_letters(25), _letters(25, 5))]


@pytest.fixture(scope="module")
def uncased_vocab() -> Path:
    return minilm_dir() / "vocab.txt"


@pytest.fixture(scope="module")
def cased_vocab(tmp_path_factory) -> Path:
    """A cased vocabulary trained on the Python reference (the only English text available offline)."""
    import pydoc_data.topics

    texts = list(pydoc_data.topics.topics.values()) + TEXTS
    tokens = train_wordpiece_fast(texts, vocab_size=4000, do_lower_case=False)
    return write_vocab(tokens, tmp_path_factory.mktemp("cased") / "vocab.txt")


def reference_tokenizer(vocab_file: Path, do_lower_case: bool = True) -> transformers.BertTokenizer:
    # transformers 5 also reads a vocabulary path given as the first argument, but it silently ignores
    # vocab_file=path (and then knows only the five special tokens): pass the vocabulary itself.
    return transformers.BertTokenizer(vocab=load_vocab(vocab_file), do_lower_case=do_lower_case)


@pytest.fixture(scope="module", params=["uncased", "cased"])
def case(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def tokenizers(case, uncased_vocab, cased_vocab) -> tuple[BertTokenizer, transformers.BertTokenizer]:
    """minibert's tokenizer and transformers', built once per module: hypothesis tests use them too (it
    forbids function-scoped fixtures)."""
    lower = case == "uncased"
    vocab = uncased_vocab if lower else cased_vocab
    return BertTokenizer(vocab, do_lower_case=lower), reference_tokenizer(vocab, lower)


@pytest.fixture(scope="module")
def tok(uncased_vocab) -> BertTokenizer:
    return BertTokenizer(uncased_vocab)


@pytest.fixture(scope="module")
def hf(uncased_vocab) -> transformers.BertTokenizer:
    return reference_tokenizer(uncased_vocab)


def reference(hf, *args, **kwargs) -> dict:
    out = hf(*args, return_token_type_ids=True, return_attention_mask=True, **kwargs)
    return {k: out[k] for k in ("input_ids", "token_type_ids", "attention_mask")}


def ours(tok, *args, **kwargs) -> dict:
    out = tok(*args, **kwargs)
    return {k: out[k] for k in ("input_ids", "token_type_ids", "attention_mask")}


def segment_lengths(encoding) -> tuple[int, int]:
    """The number of tokens of A and of B in ``[CLS] A [SEP] B [SEP]``."""
    types = encoding["token_type_ids"]
    return types.count(0) - 2, types.count(1) - 1


# --- ids, offsets and word ids --------------------------------------------------------------------------

@pytest.mark.parametrize("text", TEXTS)
def test_text_matches_transformers(tokenizers, text):
    tok, hf = tokenizers
    assert tok.tokenize(text) == hf.tokenize(text)
    assert ours(tok, text) == reference(hf, text)
    ref = hf(text, return_offsets_mapping=True)
    out = tok(text, return_offsets_mapping=True, return_word_ids=True)
    assert out["offset_mapping"] == [tuple(o) for o in ref["offset_mapping"]]
    assert out["word_ids"] == ref.word_ids()


def test_where_transformers_4_differs(uncased_vocab, cased_vocab):
    """Each rule minibert now takes from transformers 5 where transformers 4's Python tokenizer (still shipped
    as BertTokenizerLegacy) did otherwise."""
    uncased = (BertTokenizer(uncased_vocab), reference_tokenizer(uncased_vocab),
               BertTokenizerLegacy(str(uncased_vocab)))
    cased = (BertTokenizer(cased_vocab, do_lower_case=False), reference_tokenizer(cased_vocab, False),
             BertTokenizerLegacy(str(cased_vocab), do_lower_case=False))
    calls = [
        (cased, ("cafe\u0301",), {}),  # not composed (NFC): e + combining accent, not é
        (uncased, ("a\u0e00b",), {}),  # an unassigned code point is kept: one word, [UNK]
        (uncased, ("ΟΔΟΣ",), {}),  # lower-cased character by character: σ, not the final ς
        (uncased, (_letters(5), _letters(5, 5)), dict(truncation="longest_first", max_length=12)),  # tie: A cut
        (uncased, ("a b", "c d"), dict(add_special_tokens=False)),  # B is segment 1 even without [SEP]
    ]
    for (tok, hf, legacy), args, kwargs in calls:
        assert ours(tok, *args, **kwargs) == reference(hf, *args, **kwargs) != reference(legacy, *args, **kwargs)


def test_an_empty_second_text_is_an_empty_segment(tok, hf):
    # minibert encodes ("a", "") as [CLS] a [SEP] [SEP], as transformers 5 does for the same pair in a batch;
    # for a single pair transformers 5 takes the empty text for "no second text" and gives [CLS] a [SEP].
    assert tok("a", "")["input_ids"] == hf(["a"], [""])["input_ids"][0] == [101, 1037, 102, 102]
    assert hf("a", "")["input_ids"] == [101, 1037, 102]


# --- truncation, overflow windows, padding ------------------------------------------------------------

@pytest.mark.parametrize("strategy", TRUNCATIONS)
def test_pair_truncation_matches_transformers(tokenizers, strategy):
    tok, hf = tokenizers
    calls = [(a, b, max_length) for a, b in PAIRS for max_length in (12, 15, 18, 23, 64)]
    calls += [(a, b, budget + 3) for a, b in LONG_PAIRS for budget in (44, 45)]
    for a, b, max_length in calls:
        kept = a if strategy == "only_second" else b
        needed = len(hf.tokenize(kept)) + 3 if strategy != "longest_first" else 3
        if needed >= max_length:  # transformers then returns an over-long sequence; we refuse (tested below)
            continue
        kwargs = dict(truncation=strategy, max_length=max_length)
        assert ours(tok, a, b, **kwargs) == reference(hf, a, b, **kwargs), (a, b, max_length)
        assert len(tok(a, b, **kwargs)["input_ids"]) <= max_length


def test_longest_first_cuts_both_long_texts(tokenizers):
    """The long pairs really are cut on both sides, the odd token coming off the shorter text (A on a tie)."""
    tok, _ = tokenizers
    expected = {(27, 24, 45): (23, 22), (27, 24, 44): (22, 22), (24, 27, 45): (22, 23), (24, 27, 44): (22, 22),
                (25, 25, 45): (22, 23), (25, 25, 44): (22, 22)}
    for a, b in LONG_PAIRS:
        for budget in (44, 45):
            lengths = (len(tok.tokenize(a)), len(tok.tokenize(b)), budget)
            assert segment_lengths(tok(a, b, truncation="longest_first", max_length=budget + 3)) == expected[lengths]


def test_pretraining_truncation_keeps_googles_tie_rule(tok):
    """Google's pre-training recipe cuts the second segment on a tie (and so takes the odd token of a shared
    cut off B whichever was longer); the tokenizer, like transformers 5, takes it off the shorter, A on a tie."""
    for seed in range(10):  # the recipe cuts the front or the back at random: only the lengths are fixed
        for length_b in (5, 6):
            a, b = list(range(5)), list(range(10, 10 + length_b))
            truncate_seq_pair(a, b, 9, random.Random(seed))
            assert (len(a), len(b)) == (5, 4)
    for length_b in (5, 6):
        encoding = tok(_letters(5), _letters(length_b, 5), truncation="longest_first", max_length=9 + 3)
        assert segment_lengths(encoding) == (4, 5)


@pytest.mark.parametrize("max_length,stride", [(30, 7), (31, 0), (40, 12)])
def test_overflow_windows_match_transformers(tokenizers, max_length, stride):
    tok, hf = tokenizers
    kwargs = dict(max_length=max_length, stride=stride, return_overflowing_tokens=True, return_offsets_mapping=True)
    calls = [((CONTEXT,), "longest_first"), ((CONTEXT,), "only_first"), ((CONTEXT, QUESTION), "only_first"),
             ((QUESTION, CONTEXT), "only_second")]
    for texts, strategy in calls:
        ref = hf(*texts, truncation=strategy, **kwargs)
        out = tok(*texts, truncation=strategy, **kwargs)
        assert len(out["input_ids"]) > 2  # the long text really was cut into several windows
        for key in ("input_ids", "token_type_ids", "attention_mask", "overflow_to_sample_mapping"):
            assert out[key] == ref[key], (key, strategy)
        assert out["offset_mapping"] == [[tuple(o) for o in row] for row in ref["offset_mapping"]]


def test_longest_first_windows_of_a_pair_are_refused(tok, hf):
    a = "one two three four five six seven eight nine ten eleven twelve"
    b = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu"
    kwargs = dict(truncation="longest_first", max_length=16, stride=2, return_overflowing_tokens=True)
    with pytest.raises(ValueError, match="'only_first' or 'only_second' for a pair"):
        tok(a, b, **kwargs)
    # transformers 5 does not refuse: it cuts both texts into windows (3 of A, 3 of B here) and returns every
    # window of A with every window of B, 9 rows in which the two texts no longer line up.
    assert len(hf(a, b, **kwargs)["input_ids"]) == 3 * 3


def test_batch_padding_and_tensors_match_transformers(tokenizers):
    tok, hf = tokenizers
    firsts, seconds = [a for a, _ in PAIRS], [b for _, b in PAIRS]
    for padding in (True, "max_length"):
        kwargs = dict(truncation="longest_first", max_length=20, padding=padding)
        ref = hf(firsts, seconds, return_tensors="pt", return_token_type_ids=True, **kwargs)
        out = tok(firsts, seconds, return_tensors="pt", **kwargs)
        for key in ("input_ids", "token_type_ids", "attention_mask"):
            assert torch.equal(out[key], ref[key]), key
    assert ours(tok, TEXTS[:5], padding=True) == reference(hf, TEXTS[:5], padding=True)
    assert ours(tok, TEXTS[:5], padding="max_length", max_length=40, truncation=True) == reference(
        hf, TEXTS[:5], padding="max_length", max_length=40, truncation=True)


def test_without_special_tokens_and_split_words_match_transformers(tokenizers):
    tok, hf = tokenizers
    a, b = PAIRS[0]
    for kwargs in (dict(), dict(truncation="longest_first", max_length=15), dict(truncation="only_second",
                                                                                  max_length=10)):
        assert ours(tok, a, add_special_tokens=False, **kwargs) == reference(hf, a, add_special_tokens=False,
                                                                              **kwargs)
        assert ours(tok, a, b, add_special_tokens=False, **kwargs) == reference(hf, a, b, add_special_tokens=False,
                                                                                 **kwargs)
    words = ["Barack", "Obama", "was", "born", "in", "Hawaïi", "."]
    others = ["He", "was", "PRESIDENT", "[MASK]", "2009-2017"]
    assert ours(tok, words, is_split_into_words=True) == reference(hf, words, is_split_into_words=True)
    assert ours(tok, words, others, is_split_into_words=True) == reference(hf, words, others,
                                                                           is_split_into_words=True)
    assert ours(tok, [words, others], is_split_into_words=True, padding=True) == reference(
        hf, [words, others], is_split_into_words=True, padding=True)


# --- random texts -----------------------------------------------------------------------------------------

DIFFERENCES_FILE = Path(__file__).parent / "fixtures" / "unicode_differences.json"


@functools.lru_cache(maxsize=None)
def _differences() -> dict:
    return json.loads(DIFFERENCES_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def without_differing(case) -> Callable[[str], str]:
    """A function that deletes from a text the characters ``fixtures/unicode_differences.json`` lists for this
    case (a function rather than the table, so that hypothesis does not print 759 code points on a failure)."""
    data = _differences()
    if data["unidata_version"] != unicodedata.unidata_version:
        pytest.skip(f"{DIFFERENCES_FILE.name} lists the characters that differ under Unicode "
                    f"{data['unidata_version']}, but this Python's unicodedata is {unicodedata.unidata_version}: "
                    "regenerate it with `python tests/fixtures/unicode_differences.py` (about 3 minutes)")
    table: dict[int, None] = {}
    for entry in data[case]:  # "2E43..2E4F" or "061D"
        first, _, last = entry.partition("..")
        table.update(dict.fromkeys(range(int(first, 16), int(last or first, 16) + 1)))

    def without_differing(text: str) -> str:
        return text.translate(table)
    return without_differing


def _block(first: int, last: int) -> st.SearchStrategy[str]:
    return st.characters(min_codepoint=first, max_codepoint=last)


def _categories(*categories: str) -> st.SearchStrategy[str]:
    return st.characters(categories=categories)


CHARACTERS = {  # a run of characters of one kind makes a word (or a run of words) of it
    "ASCII": _block(0x20, 0x7E),
    "Latin-1 and Latin Extended": _block(0xA0, 0x24F),
    "Greek": st.one_of(_block(0x370, 0x3FF), _block(0x1F00, 0x1FFF)),
    "Cyrillic": _block(0x400, 0x4FF),
    "Hebrew": _block(0x590, 0x5FF),
    "Arabic": _block(0x600, 0x6FF),
    "Devanagari": _block(0x900, 0x97F),
    "Thai": _block(0xE00, 0xE7F),
    # CJK Unified, Extension A, compatibility, Extension B, the Extension D/E boundary, compatibility supplement
    "CJK ideographs": st.one_of(_block(0x4E00, 0x9FFF), _block(0x3400, 0x4DBF), _block(0xF900, 0xFAFF),
                                _block(0x20000, 0x2A6DF), _block(0x2B740, 0x2B9FF), _block(0x2F800, 0x2FA1F)),
    "Hangul syllables and jamo": st.one_of(_block(0xAC00, 0xD7A3), _block(0x1100, 0x11FF)),
    "kana": _block(0x3040, 0x30FF),
    "emoji and symbols": st.one_of(_block(0x1F300, 0x1FAFF), _categories("So", "Sm", "Sk"),
                                   st.sampled_from("\u200d\ufe0f")),
    "combining marks": _categories("Mn", "Me", "Mc"),
    "whitespace": st.sampled_from(" \t\n\r\x0b\x0c\x85\u00a0\u1680\u2000\u2007\u200a\u2028\u2029\u202f\u205f\u3000"),
    "control": _categories("Cc"),
    "format": st.one_of(st.sampled_from("\u200b\u200c\u200d\u2060\ufeff\u00ad"), _categories("Cf")),
    "private use": _categories("Co"),
    "unassigned": _categories("Cn"),
    "digits and punctuation": _categories("Nd", "P"),
}
PIECES = st.sampled_from(["[MASK]", "[SEP]", "[CLS]", "[UNK]", "[mask]", "[MASK", "the", "Hello", "unaffable",
                          "Café", "naïve", "ΟΔΟΣ", "Straße", "3.14"])
RANDOM_TEXT = st.lists(st.one_of(PIECES, *(st.text(chars, min_size=1, max_size=6) for chars in CHARACTERS.values())),
                       max_size=8).map("".join)


def _decomposing_reorders(text: str) -> bool:
    """Whether NFD moves combining marks into their canonical order (it decomposes each character otherwise)."""
    return unicodedata.normalize("NFD", text) != "".join(unicodedata.normalize("NFD", char) for char in text)


@settings(max_examples=1000, deadline=None)
@given(text=RANDOM_TEXT, pair=RANDOM_TEXT, strategy=st.sampled_from(TRUNCATIONS), max_length=st.integers(4, 40))
def test_random_text_matches_transformers(tokenizers, without_differing, text, pair, strategy, max_length):
    """Texts of every script and kind of character (see ``CHARACTERS``), special tokens inside them: the same
    ids, offsets and word ids as transformers 5 for single texts, the same ids for truncated pairs.

    Left out: exactly the characters of ``fixtures/unicode_differences.json`` (written by
    ``fixtures/unicode_differences.py``, which tries every code point), where the two cannot agree because
    they classify the character differently. minibert asks Python's ``unicodedata`` (Unicode 14.0 in Python
    3.11); the Rust tokenizer of transformers 5 asks the ``unicode_categories`` crate, whose tables are
    Unicode 8.0's, so:

    * punctuation assigned since (U+2E43-U+2E5D, Newa, Mongolian, Adlam, Sogdian, ... ~100 characters) is
      split off by minibert and part of the word for the Rust tokenizer;
    * format characters assigned since (U+0890, U+0891, U+08E2, U+110CD, U+13430-U+13438) are dropped by
      minibert and kept (as letters) by it;
    * non-spacing marks assigned since (~380, uncased only) are stripped as accents by minibert and kept by it;
    * characters whose category changed: U+061D (now punctuation), U+166D (now a symbol), U+1734 (now a
      spacing mark, uncased only), U+111C9 (now a non-spacing mark);
    * U+2B820-U+2B91F, the start of CJK Extension E: ideographs, each a word of its own, to Google's BERT and
      minibert, but the Rust tokenizer's Extension E range starts at U+2B920, so they are letters to it.

    Offsets are not compared where decomposing the text (uncased models strip accents so) puts combining marks
    in their canonical order, "\\u0300\\ua9c0" -> "\\ua9c0\\u0300": the Rust tokenizer gives the moved
    characters the positions of those they displaced, minibert their own (the ids are the same).
    """
    tok, hf = tokenizers
    text, pair = without_differing(text), without_differing(pair)
    ref = hf(text, return_offsets_mapping=True)
    out = tok(text, return_offsets_mapping=True, return_word_ids=True)
    assert out["input_ids"] == ref["input_ids"]
    assert out["word_ids"] == ref.word_ids()
    if not (tok.do_lower_case and _decomposing_reorders(text)):
        assert out["offset_mapping"] == [tuple(o) for o in ref["offset_mapping"]]
    if not pair:  # transformers 5 takes an empty second text for none (test_an_empty_second_text_...)
        return
    lengths = {"longest_first": 0, "only_first": len(tok.tokenize(pair)), "only_second": len(tok.tokenize(text))}
    total = len(tok.tokenize(text)) + len(tok.tokenize(pair)) + 3
    kwargs = dict(truncation=strategy, max_length=max_length)
    if total > max_length and lengths[strategy] + 3 >= max_length:  # the text that is not cut does not fit
        with pytest.raises(ValueError, match="cannot fit"):
            tok(text, pair, **kwargs)
    else:
        assert ours(tok, text, pair, **kwargs) == reference(hf, text, pair, **kwargs)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["the", "Café", "naïve", "x", "!", "un", "##", "[MASK]", " ", "中", "é", "\u0301",
                                 "İ", "ς", "Σ", "3.5", "-"]), max_size=12).map("".join))
def test_random_pieces_match_transformers(tokenizers, text):
    tok, hf = tokenizers
    assert ours(tok, text) == reference(hf, text)


# --- offsets, word ids and overflow windows -----------------------------------------------------------

def test_offsets_and_word_ids_match_transformers(tok, hf):
    for text in [CONTEXT, "Hello, unaffable world!", "naïve café — Ångström", "hello [MASK] world"]:
        ref = hf(text, return_offsets_mapping=True)
        out = tok(text, return_offsets_mapping=True, return_word_ids=True)
        assert out["input_ids"] == ref["input_ids"]
        assert out["offset_mapping"] == [tuple(o) for o in ref["offset_mapping"]]
        assert out["word_ids"] == ref.word_ids()
    words = ["Barack", "Obama", "visited", "Zürich", "yesterday."]
    ref = hf(words, is_split_into_words=True, return_offsets_mapping=True)
    out = tok(words, is_split_into_words=True, return_offsets_mapping=True, return_word_ids=True)
    assert out["offset_mapping"] == [tuple(o) for o in ref["offset_mapping"]]
    assert out["word_ids"] == ref.word_ids()


def test_offsets_point_at_the_token_text(tok):
    text = "Ångström's café, NAÏVE!"
    out = tok(text, return_offsets_mapping=True)
    for token, (start, end) in zip(tok.convert_ids_to_tokens(out["input_ids"]), out["offset_mapping"]):
        if (start, end) != (0, 0):
            assert token.removeprefix("##") == tok.basic_tokenizer._normalize(text[start:end])


@pytest.mark.parametrize("max_length,stride", [(64, 0), (64, 16), (48, 8), (100, 40), (40, 1)])
def test_question_answering_windows_match_transformers(tok, hf, max_length, stride):
    kwargs = dict(truncation="only_second", max_length=max_length, stride=stride, return_overflowing_tokens=True,
                  return_offsets_mapping=True, padding="max_length")
    questions, contexts = [QUESTION, "Who?"], [CONTEXT, "The Normans."]
    ref = hf(questions, contexts, **kwargs)
    out = tok(questions, contexts, **kwargs)
    assert len(out["input_ids"]) > 2  # the long context really was cut into several windows
    for key in ("input_ids", "token_type_ids", "attention_mask", "overflow_to_sample_mapping"):
        assert out[key] == ref[key], key
    assert out["offset_mapping"] == [[tuple(o) for o in row] for row in ref["offset_mapping"]]


def test_windows_overlap_by_stride(tok):
    out = tok(QUESTION, CONTEXT, truncation="only_second", max_length=50, stride=10, return_overflowing_tokens=True)
    contexts = [ids[ids.index(tok.sep_token_id) + 1:-1] for ids in out["input_ids"]]
    for previous, current in zip(contexts, contexts[1:]):
        assert previous[-10:] == current[:10]
    full = tok(CONTEXT, add_special_tokens=False)["input_ids"]
    assert contexts[0] + [t for c in contexts[1:] for t in c[10:]] == full


# --- API details -----------------------------------------------------------------------------------------

def test_tensors_shapes_and_special_ids(tok):
    out = tok(["one two", "three"], padding=True, return_tensors="pt", return_offsets_mapping=True)
    assert out["input_ids"].shape == (2, 4) and out["input_ids"].dtype == torch.long
    assert out["offset_mapping"].shape == (2, 4, 2)
    assert out.attention_mask.tolist() == [[1, 1, 1, 1], [1, 1, 1, 0]]
    assert tok("one", return_tensors="pt")["input_ids"].shape == (1, 3)
    assert (tok.pad_token_id, tok.unk_token_id, tok.cls_token_id, tok.sep_token_id, tok.mask_token_id) == (
        0, 100, 101, 102, 103)
    assert len(tok) == tok.vocab_size == 30522 and tok.vocab["the"] == 1996 and tok.ids_to_tokens[1996] == "the"
    assert tok.all_special_ids == [0, 100, 101, 102, 103]
    assert tok.convert_tokens_to_ids(["the", "no-such-token"]) == [1996, 100]
    assert tok.convert_ids_to_tokens(torch.tensor([101, 1996])) == ["[CLS]", "the"]


def test_decode_matches_transformers(tok, hf):
    # minibert cleans up the spaces before punctuation and in contractions by default, as transformers 4 did;
    # transformers 5 does it when asked, or when tokenizer_config.json says so (minibert's save_pretrained does).
    for text in ["hello, world! it's a [MASK] test.", "unaffable supercalifragilistic words", "3.14 = pi?",
                 "don't stop, i'm here; we've they're . ? !"]:
        ids = tok(text)["input_ids"]
        for skip in (False, True):
            assert tok.decode(ids, skip_special_tokens=skip) == hf.decode(ids, skip_special_tokens=skip,
                                                                           clean_up_tokenization_spaces=True)
    assert tok.decode(tok("Unaffable words.")["input_ids"], skip_special_tokens=True) == "unaffable words."


def test_save_pretrained_loads_in_transformers(tmp_path, cased_vocab):
    tok = BertTokenizer(cased_vocab, do_lower_case=False)
    tok.save_pretrained(tmp_path)
    assert json.loads((tmp_path / "tokenizer_config.json").read_text())["do_lower_case"] is False
    reloaded = BertTokenizer.from_pretrained(tmp_path)
    hf = transformers.BertTokenizer.from_pretrained(tmp_path)
    for text in ["Hello World, Café Ångström", "MixedCase Text with [MASK]", "it's done , isn't it ?", PAIRS[0][0]]:
        ids = tok(text)["input_ids"]
        assert reloaded(text)["input_ids"] == ids
        assert hf(text)["input_ids"] == ids
        assert hf.decode(ids) == tok.decode(ids)


def test_from_pretrained_minilm_reads_the_config():
    tok = BertTokenizer.from_pretrained("minilm")
    assert tok.do_lower_case and tok.model_max_length == 512
    assert tok.tokenize("Hello WORLD") == ["hello", "world"]


def test_basic_and_wordpiece_tokenizers():
    assert BasicTokenizer().tokenize(" Héllo,\tWORLD中文 ") == ["hello", ",", "world", "中", "文"]
    assert BasicTokenizer(do_lower_case=False).tokenize("Héllo!") == ["Héllo", "!"]
    assert BasicTokenizer(do_lower_case=False, strip_accents=True).tokenize("Héllo") == ["Hello"]
    # (transformers 5's BertTokenizer has no never_split: it swallows the argument and ignores it)
    assert BasicTokenizer(never_split=["[X]"]).tokenize("a [X] B") == ["a", "[X]", "b"]
    vocab = {t: i for i, t in enumerate(["[UNK]", "un", "##aff", "##able", "a"])}
    wordpiece = WordpieceTokenizer(vocab)
    assert wordpiece.tokenize("unaffable") == ["un", "##aff", "##able"]
    assert wordpiece.tokenize("unknown") == ["[UNK]"]
    assert WordpieceTokenizer(vocab, max_input_chars_per_word=3).tokenize("aaaa") == ["[UNK]"]


# --- errors ------------------------------------------------------------------------------------------------

def _vocab_file(tmp_path, lines, name="vocab.txt"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def test_bad_vocab_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing.txt"):
        BertTokenizer(tmp_path / "nothing.txt")
    with pytest.raises(ValueError, match=r"'hello' appears twice, on lines 7 and 9"):
        BertTokenizer(_vocab_file(tmp_path, SPECIALS + ["a", "hello", "b", "hello"]))
    with pytest.raises(ValueError, match=r"\[CLS\].*\[MASK\]"):
        BertTokenizer(_vocab_file(tmp_path, ["[PAD]", "[UNK]", "[SEP]", "a"]))
    bad = tmp_path / "latin1.txt"
    bad.write_bytes(b"[PAD]\n[UNK]\ncaf\xe9\n")
    with pytest.raises(ValueError, match="not UTF-8.*line 3"):
        BertTokenizer(bad)
    empty_dir = tmp_path / "empty_dir"
    empty_dir.mkdir()
    with pytest.raises(FileNotFoundError, match="no vocab.txt in"):
        BertTokenizer.from_pretrained(empty_dir)
    (empty_dir / "vocab.txt").write_text("\n".join(SPECIALS) + "\n")
    (empty_dir / "tokenizer_config.json").write_text("{not json")
    with pytest.raises(ValueError, match="tokenizer_config.json"):
        BertTokenizer.from_pretrained(empty_dir)


def test_bad_calls(tok):
    with pytest.raises(ValueError, match="12 tokens is longer than max_length=5"):
        tok("this sentence is far too long for five tokens", max_length=5)
    with pytest.raises(ValueError, match="unknown truncation strategy 'only_third'"):
        tok("a", truncation="only_third")
    with pytest.raises(ValueError, match="unknown padding strategy 'shortest'"):
        tok("a", padding="shortest")
    with pytest.raises(ValueError, match="first text alone has"):
        tok(CONTEXT, "b", truncation="only_second", max_length=20)
    with pytest.raises(ValueError, match="stride=30"):
        tok(QUESTION, CONTEXT, truncation="only_second", max_length=40, stride=30, return_overflowing_tokens=True)
    with pytest.raises(ValueError, match="lengths"):
        tok(["a", "b c d"], return_tensors="pt")
    with pytest.raises(ValueError, match="empty"):
        tok([])
    with pytest.raises(IndexError, match="token id 30522 is outside the vocabulary"):
        tok.decode([101, 30522])
    with pytest.raises(IndexError, match="token id -1"):
        tok.convert_ids_to_tokens([-1])
    with pytest.raises(TypeError, match="int"):
        tok(123)


def test_ascii_punctuation_is_split(tok):
    assert tok.tokenize(string.punctuation) == list(string.punctuation)
