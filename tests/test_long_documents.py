"""Long documents: the windows cover the text with the stride's overlap, and the poolings do what they say."""
import pytest
import torch

from minibert import BertConfig, BertForSequenceClassification
from minibert.long_documents import classify_long, end_features, pool_windows, window_features

TEXT = " ".join(f"word{i % 7} is here number {i} ." for i in range(40))


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    config = BertConfig.from_preset("tiny", vocab_size=30522, num_hidden_layers=1, max_position_embeddings=64)
    return BertForSequenceClassification(config).eval()


def test_windows_cover_the_text_and_overlap_by_the_stride(tok):
    ids = tok.convert_tokens_to_ids(tok.tokenize(TEXT))
    windows = window_features(tok, TEXT, max_length=32, stride=8)
    pieces = [w["input_ids"][1:-1] for w in windows]
    assert len(windows) > 2 and all(len(w["input_ids"]) <= 32 for w in windows)
    assert all(w["input_ids"][0] == tok.cls_token_id and w["input_ids"][-1] == tok.sep_token_id for w in windows)
    assert pieces[0] == ids[:30] and pieces[1][:8] == pieces[0][-8:]      # each window repeats the last 8 tokens
    assert pieces[-1][-1] == ids[-1]                                      # nothing is lost at the end
    end = end_features(tok, TEXT, 32)["input_ids"]
    assert end[1:-1] == ids[-30:]


def test_poolings():
    logits = torch.tensor([[0.0, 1.0], [3.0, -1.0], [1.0, 2.0]])          # (W, C)
    assert torch.equal(pool_windows(logits, "first"), logits[0])
    assert torch.allclose(pool_windows(logits, "mean"), torch.tensor([4 / 3, 2 / 3]))
    assert torch.equal(pool_windows(logits, "max"), torch.tensor([3.0, 2.0]))
    with pytest.raises(ValueError):
        pool_windows(logits, "last")


def test_classify_long_first_is_truncation(model, tok, one_thread):
    texts = [TEXT, "a short text ."]
    out = classify_long(model, tok, texts, max_length=32, stride=8)
    assert set(out) == {"first", "last", "mean", "max"} and all(v.shape == (2, 2) for v in out.values())
    with torch.no_grad():
        truncated = model(**tok(texts[0], max_length=32, truncation=True, return_tensors="pt")).logits[0]
    torch.testing.assert_close(out["first"][0], truncated, atol=1e-5, rtol=1e-5)
    for how in out:                                                       # one window: every reading agrees
        torch.testing.assert_close(out[how][1], out["first"][1], atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError):
        classify_long(model, tok, texts, 32, 8, poolings=("median",))
