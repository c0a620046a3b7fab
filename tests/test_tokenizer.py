"""minibert's BertTokenizer against transformers.

Ids: transformers' Python tokenizer, ``BertTokenizerLegacy`` (in transformers 5 the name ``BertTokenizer`` is
the Rust-backed fast one). Offsets and overflow windows: the fast one, ``transformers.BertTokenizerFast``.
"""
from __future__ import annotations

import json
import string

import pytest
import torch
import transformers
from hypothesis import given, settings, strategies as st
from transformers.models.bert.tokenization_bert_legacy import BertTokenizerLegacy

from minibert.hub import minilm_dir
from minibert.tokenizer import BasicTokenizer, BertTokenizer, WordpieceTokenizer, load_vocab
from minibert.wordpiece import train_wordpiece_fast, write_vocab

TEXTS = [
    "Hello, world!", "The café serves naïve Ångström-sized crêpes.", "ÉCOLE Ärger ÑANDÚ", "cafe\u0301 vs café",
    "中文字符 and 日本語のテキスト", "한국어 텍스트", "!!!...???", "wait -- what?!", "a\x00b c\u200bd e\u200df \ufeffg",
    "tab\there\r\nnew line\nand\u00a0nbsp\u3000ideographic space", "emoji 😀👍🏽 🇫🇷 ❤️", "pi is 3.14, a million 1,000,000",
    "x" * 300, "", "   ", "\t\n\r", "hello [MASK] world", "[CLS] already [SEP] there [PAD]", "hello[MASK]world",
    "don't stop believin'", "ΟΔΟΣ σοφίας", "a≠b ½ ™ ﬁne", "İstanbul ǅ ß", "$100 + 50% = ~#@^`|",
    "unaffable supercalifragilisticexpialidocious", "Über-wichtig: Straße (München)",
]
PAIRS = [
    ("What is the capital of France?", "Paris is the capital and largest city of France, on the Seine."),
    ("short", "a much longer second sentence with quite a few more words in it than the first"),
    ("a first sentence that is clearly the longer of the two sequences here", "tiny"),
    ("equal length one", "equal length two"),
]


@pytest.fixture(scope="module")
def uncased_vocab():
    return minilm_dir() / "vocab.txt"


@pytest.fixture(scope="module")
def cased_vocab(tmp_path_factory):
    """A cased vocabulary trained on the Python reference (the only English text available offline)."""
    import pydoc_data.topics

    texts = list(pydoc_data.topics.topics.values()) + TEXTS
    tokens = train_wordpiece_fast(texts, vocab_size=4000, do_lower_case=False)
    return write_vocab(tokens, tmp_path_factory.mktemp("cased") / "vocab.txt")


@pytest.fixture(scope="module", params=["uncased", "cased"])
def tokenizers(request, uncased_vocab, cased_vocab):
    lower = request.param == "uncased"
    vocab = uncased_vocab if lower else cased_vocab
    return BertTokenizer(vocab, do_lower_case=lower), BertTokenizerLegacy(str(vocab), do_lower_case=lower)


@pytest.fixture(scope="module")
def tok(uncased_vocab):
    return BertTokenizer(uncased_vocab)


@pytest.fixture(scope="module")
def fast(uncased_vocab):
    # transformers 5's BertTokenizerFast(vocab_file=...) ignores the file; the vocabulary must be passed in.
    return transformers.BertTokenizerFast(vocab=load_vocab(uncased_vocab))


def reference(slow, *args, **kwargs):
    out = slow(*args, return_token_type_ids=True, return_attention_mask=True, **kwargs)
    return {k: out[k] for k in ("input_ids", "token_type_ids", "attention_mask")}


def ours(tok, *args, **kwargs):
    out = tok(*args, **kwargs)
    return {k: out[k] for k in ("input_ids", "token_type_ids", "attention_mask")}


# --- ids parity ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", TEXTS)
def test_ids_match_transformers(tokenizers, text):
    tok, slow = tokenizers
    assert tok.tokenize(text) == slow.tokenize(text)
    assert ours(tok, text) == reference(slow, text)


@pytest.mark.parametrize("strategy", ["longest_first", "only_first", "only_second"])
@pytest.mark.parametrize("max_length", [12, 15, 18, 23, 64])
def test_pair_truncation_matches_transformers(tokenizers, strategy, max_length):
    tok, slow = tokenizers
    for a, b in PAIRS:
        kept = a if strategy == "only_second" else b
        needed = len(slow.tokenize(kept)) + 3 if strategy != "longest_first" else 3
        if needed >= max_length:  # transformers then returns an over-long sequence; we refuse (tested below)
            continue
        kwargs = dict(truncation=strategy, max_length=max_length)
        assert ours(tok, a, b, **kwargs) == reference(slow, a, b, **kwargs)
        assert len(tok(a, b, **kwargs)["input_ids"]) <= max_length


def test_batch_padding_and_tensors_match_transformers(tokenizers):
    tok, slow = tokenizers
    firsts, seconds = [a for a, _ in PAIRS], [b for _, b in PAIRS]
    for padding in (True, "max_length"):
        kwargs = dict(truncation="longest_first", max_length=20, padding=padding)
        ref = slow(firsts, seconds, return_tensors="pt", return_token_type_ids=True, **kwargs)
        out = tok(firsts, seconds, return_tensors="pt", **kwargs)
        for key in ("input_ids", "token_type_ids", "attention_mask"):
            assert torch.equal(out[key], ref[key]), key
    assert ours(tok, TEXTS[:5], padding=True) == reference(slow, TEXTS[:5], padding=True)


def test_without_special_tokens_and_split_words_match_transformers(tokenizers):
    tok, slow = tokenizers
    a, b = PAIRS[0]
    assert ours(tok, a, b, add_special_tokens=False) == reference(slow, a, b, add_special_tokens=False)
    words = ["Barack", "Obama", "was", "born", "in", "Hawaïi", "."]
    assert ours(tok, words, is_split_into_words=True) == reference(slow, words, is_split_into_words=True)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_random_unicode_ids_match_transformers(uncased_vocab, text):
    tok, slow = _cached_pair(uncased_vocab)
    assert tok(text)["input_ids"] == slow(text)["input_ids"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["the", "Café", "naïve", "x", "!", "un", "##", "[MASK]", " ", "中", "é", "\u0301",
                                 "İ", "ς", "Σ", "3.5", "-"]), max_size=12).map("".join))
def test_random_pieces_ids_match_transformers(uncased_vocab, text):
    tok, slow = _cached_pair(uncased_vocab)
    assert tok(text)["input_ids"] == slow(text)["input_ids"]


_PAIR_CACHE: dict = {}


def _cached_pair(vocab):
    if vocab not in _PAIR_CACHE:  # hypothesis forbids function-scoped fixtures; build once per vocabulary
        _PAIR_CACHE[vocab] = BertTokenizer(vocab), BertTokenizerLegacy(str(vocab))
    return _PAIR_CACHE[vocab]


# --- offsets, word ids and overflow windows vs the fast tokenizer -------------------------------------

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


def test_offsets_and_word_ids_match_fast_tokenizer(tok, fast):
    for text in [CONTEXT, "Hello, unaffable world!", "naïve café — Ångström", "hello [MASK] world"]:
        ref = fast(text, return_offsets_mapping=True)
        out = tok(text, return_offsets_mapping=True, return_word_ids=True)
        assert out["input_ids"] == ref["input_ids"]
        assert out["offset_mapping"] == [tuple(o) for o in ref["offset_mapping"]]
        assert out["word_ids"] == ref.word_ids()
    words = ["Barack", "Obama", "visited", "Zürich", "yesterday."]
    ref = fast(words, is_split_into_words=True, return_offsets_mapping=True)
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
def test_question_answering_windows_match_fast_tokenizer(tok, fast, max_length, stride):
    kwargs = dict(truncation="only_second", max_length=max_length, stride=stride, return_overflowing_tokens=True,
                  return_offsets_mapping=True, padding="max_length")
    questions, contexts = [QUESTION, "Who?"], [CONTEXT, "The Normans."]
    ref = fast(questions, contexts, **kwargs)
    out = tok(questions, contexts, **kwargs)
    assert len(out["input_ids"]) > 2  # the long context really was cut into several windows
    for key in ("input_ids", "token_type_ids", "attention_mask", "overflow_to_sample_mapping"):
        assert out[key] == ref[key], key
    assert out["offset_mapping"] == [[tuple(o) for o in row] for row in ref["offset_mapping"]]


@pytest.mark.parametrize("strategy", ["only_first", "longest_first"])
def test_single_and_only_first_windows_match_fast_tokenizer(tok, fast, strategy):
    kwargs = dict(truncation=strategy, max_length=30, stride=7, return_overflowing_tokens=True)
    assert tok(CONTEXT, **kwargs)["input_ids"] == fast(CONTEXT, **kwargs)["input_ids"]
    kwargs["truncation"] = "only_first"
    assert tok(CONTEXT, QUESTION, **kwargs)["input_ids"] == fast(CONTEXT, QUESTION, **kwargs)["input_ids"]


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


def test_decode_round_trip(tok, uncased_vocab):
    slow = BertTokenizerLegacy(str(uncased_vocab))
    for text in ["hello, world! it's a [MASK] test.", "unaffable supercalifragilistic words", "3.14 = pi?"]:
        ids = tok(text)["input_ids"]
        assert tok.decode(ids) == slow.decode(ids)
        assert tok.decode(ids, skip_special_tokens=True) == slow.decode(ids, skip_special_tokens=True)
    assert tok.decode(tok("Unaffable words.")["input_ids"], skip_special_tokens=True) == "unaffable words."


def test_save_pretrained_loads_in_transformers(tmp_path, cased_vocab):
    tok = BertTokenizer(cased_vocab, do_lower_case=False)
    tok.save_pretrained(tmp_path)
    assert json.loads((tmp_path / "tokenizer_config.json").read_text())["do_lower_case"] is False
    reloaded = BertTokenizer.from_pretrained(tmp_path)
    slow = BertTokenizerLegacy.from_pretrained(tmp_path)
    hf = transformers.BertTokenizer.from_pretrained(tmp_path)
    for text in ["Hello World, Café Ångström", "MixedCase Text with [MASK]", PAIRS[0][0]]:
        ids = tok(text)["input_ids"]
        assert reloaded(text)["input_ids"] == ids
        assert slow(text)["input_ids"] == ids
        assert hf(text)["input_ids"] == ids


def test_from_pretrained_minilm_reads_the_config():
    tok = BertTokenizer.from_pretrained("minilm")
    assert tok.do_lower_case and tok.model_max_length == 512
    assert tok.tokenize("Hello WORLD") == ["hello", "world"]


def test_basic_and_wordpiece_tokenizers():
    assert BasicTokenizer().tokenize(" Héllo,\tWORLD中文 ") == ["hello", ",", "world", "中", "文"]
    assert BasicTokenizer(do_lower_case=False).tokenize("Héllo!") == ["Héllo", "!"]
    assert BasicTokenizer(do_lower_case=False, strip_accents=True).tokenize("Héllo") == ["Hello"]
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
