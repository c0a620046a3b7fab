"""The WordPiece trainers: vocabulary layout, coverage, and that a bigger vocabulary cuts words less."""
from __future__ import annotations

import pydoc_data.topics

import pytest

from minibert.basic_tokenizer import BasicTokenizer
from minibert.tokenizer import BertTokenizer
from minibert.wordpiece import SPECIAL_TOKENS, _PairCounts, train_wordpiece, train_wordpiece_fast, write_vocab

# About 100 KB of English from the Python reference: enough to learn a few thousand pieces in seconds.
TEXTS = [t for t in pydoc_data.topics.topics.values()][:25] + ["Café naïve Ångström 中文 über-cool déjà vu!"]


@pytest.fixture(scope="module")
def vocabs():
    return {size: train_wordpiece(TEXTS, size) for size in (300, 800, 2000)}


def _tokenizer(tokens, tmp_path, name, **kwargs):
    return BertTokenizer(write_vocab(tokens, tmp_path / f"{name}.txt"), **kwargs)


def test_special_tokens_first_and_size_respected(vocabs):
    for size, tokens in vocabs.items():
        assert tokens[:5] == list(SPECIAL_TOKENS)
        assert len(tokens) == size
        assert len(set(tokens)) == len(tokens)


def test_training_text_is_fully_covered(vocabs, tmp_path):
    for size, tokens in vocabs.items():
        tok = _tokenizer(tokens, tmp_path, f"v{size}")
        for text in TEXTS:
            assert tok.unk_token_id not in tok(text)["input_ids"], text[:60]


def test_bigger_vocabulary_gives_fewer_pieces_per_word(vocabs, tmp_path):
    words = [w for text in TEXTS for w in BasicTokenizer().tokenize(text)]
    pieces_per_word = []
    for size, tokens in sorted(vocabs.items()):
        tok = _tokenizer(tokens, tmp_path, f"v{size}")
        pieces_per_word.append(len(tok(" ".join(words), add_special_tokens=False)["input_ids"]) / len(words))
    assert pieces_per_word[0] > pieces_per_word[1] > pieces_per_word[2] >= 1.0


def test_cased_training_keeps_case(tmp_path):
    tokens = train_wordpiece(TEXTS, 800, do_lower_case=False)
    assert "C" in tokens and "Å" in tokens
    tok = _tokenizer(tokens, tmp_path, "cased", do_lower_case=False)
    assert tok.tokenize("Café")[0].startswith("C")


def test_merges_follow_the_wordpiece_score():
    """'x ##y' occurs only twice but x and y never apart: it beats the far more frequent 'a ##b'."""
    texts = ["ab ab ab ab ab ab ac ac cb cb xy xy"]
    tokens = train_wordpiece(texts, vocab_size=len(SPECIAL_TOKENS) + 6 + 1)  # 6 characters, 1 merge
    assert tokens[-1] == "xy"
    words = [["a", "##b"]] * 6 + [["a", "##c"]] * 2 + [["c", "##b"]] * 2 + [["x", "##y"]] * 2
    counts = _PairCounts([list(w) for w in words], [1] * len(words), min_frequency=2)
    assert counts.score(("x", "##y")) == 2 / (2 * 2)
    assert counts.score(("a", "##b")) == 6 / (8 * 8)


def test_min_frequency_stops_training():
    tokens = train_wordpiece(["abc abd"], vocab_size=100, min_frequency=2)
    assert tokens[len(SPECIAL_TOKENS):] == ["##b", "##c", "##d", "a", "ab"]


def test_too_small_vocab_size_is_an_error():
    with pytest.raises(ValueError, match="vocab_size=6 is too small"):
        train_wordpiece(["abc"], vocab_size=6)


def test_fast_trainer_same_format(tmp_path):
    tokens = train_wordpiece_fast(TEXTS, 1000)
    assert tokens[:5] == list(SPECIAL_TOKENS) and len(tokens) == 1000 and len(set(tokens)) == 1000
    tok = _tokenizer(tokens, tmp_path, "fast")
    assert all(tok.unk_token_id not in tok(text)["input_ids"] for text in TEXTS)


def test_write_vocab_refuses_duplicates_and_line_breaks(tmp_path):
    with pytest.raises(ValueError, match="'a' appears twice, at ids 0 and 2"):
        write_vocab(["a", "b", "a"], tmp_path / "v.txt")
    with pytest.raises(ValueError, match="line break"):
        write_vocab(["a", "b\nc"], tmp_path / "v.txt")
