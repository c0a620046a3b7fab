"""minibert.sentence_embeddings: pooling, encoding, BM25, ranking metrics, re-ranking and the cross-encoder."""
import math

import pytest
import torch

from minibert import BertConfig, BertForSequenceClassification, BertModel
from minibert import sentence_embeddings as se


@pytest.fixture(scope="module")
def model(one_thread):
    torch.manual_seed(0)
    config = BertConfig.from_preset("tiny", vocab_size=30522, hidden_size=32, intermediate_size=64,
                                    num_hidden_layers=2, num_attention_heads=4)
    return BertModel(config).eval()


def test_mean_pooling_leaves_padding_out():
    hidden = torch.tensor([[[1.0, 2.0], [3.0, 4.0], [100.0, 100.0]]])  # (1, 3, 2); the last token is padding
    mask = torch.tensor([[1, 1, 0]])
    torch.testing.assert_close(se.mean_pooling(hidden, mask), torch.tensor([[2.0, 3.0]]))
    # sentence-transformers' formula, as in all-MiniLM-L6-v2's model card
    expanded = mask.unsqueeze(-1).expand(hidden.size()).float()
    reference = torch.sum(hidden * expanded, 1) / torch.clamp(expanded.sum(1), min=1e-9)
    torch.testing.assert_close(se.mean_pooling(hidden, mask), reference)
    assert se.mean_pooling(hidden, torch.zeros(1, 3)).abs().sum() == 0  # all padding: zeros, not NaN


def test_encode_keeps_the_order_and_padding_changes_nothing(model, tok):
    texts = ["a much longer sentence than the others in this little batch", "short one", "a middle sized one"]
    vectors = se.encode(model, tok, texts, batch_size=2)
    assert vectors.shape == (3, 32)
    torch.testing.assert_close(vectors.norm(dim=-1), torch.ones(3))
    for i, text in enumerate(texts):  # each alone (no padding) gives the same vector
        torch.testing.assert_close(se.encode(model, tok, [text])[0], vectors[i], atol=1e-5, rtol=1e-5)
    enc = tok(texts[1], return_tensors="pt")
    with torch.no_grad():
        out = model(**enc)
    torch.testing.assert_close(se.encode(model, tok, [texts[1]], pooling="cls", normalize=False)[0],
                               out.last_hidden_state[0, 0])
    torch.testing.assert_close(se.encode(model, tok, [texts[1]], pooling="pooler", normalize=False)[0],
                               out.pooler_output[0])
    with pytest.raises(ValueError, match="pooling must be one of"):
        se.encode(model, tok, texts, pooling="max")
    with pytest.raises(ValueError, match="no texts"):
        se.encode(model, tok, [])


def test_cosine_similarities():
    a, b = torch.tensor([[1.0, 0.0], [1.0, 1.0]]), torch.tensor([[2.0, 0.0], [0.0, 3.0]])
    expected = torch.tensor([[1.0, 0.0], [1 / math.sqrt(2), 1 / math.sqrt(2)]])
    torch.testing.assert_close(se.cosine_similarities(a, b), expected)


def test_bm25_by_hand():
    docs = [["the", "cat", "sat"], ["the", "dog", "sat", "down", "here"], ["a", "bird"]]
    bm25 = se.BM25(docs, k1=1.2, b=0.75)
    avgdl = (3 + 5 + 2) / 3
    idf_cat = math.log(1 + (3 - 1 + 0.5) / (1 + 0.5))
    idf_sat = math.log(1 + (3 - 2 + 0.5) / (2 + 0.5))

    def term(idf, f, length):
        return idf * f * 2.2 / (f + 1.2 * (1 - 0.75 + 0.75 * length / avgdl))

    scores = bm25.scores(["cat", "sat", "sat", "unknown"])  # a repeated query term counts once
    torch.testing.assert_close(scores, torch.tensor([term(idf_cat, 1, 3) + term(idf_sat, 1, 3), term(idf_sat, 1, 5), 0.0]))
    assert se.terms("The Eiffel Tower's 2 lifts!") == ["the", "eiffel", "tower", "s", "2", "lifts"]
    assert bm25.score_all([["cat"], ["bird"]]).shape == (2, 3)
    with pytest.raises(ValueError):
        se.BM25([])


def test_rankings_and_metrics():
    scores = torch.tensor([[0.1, 0.9, 0.5], [0.3, 0.3, 0.2]])
    ranking = se.rankings(scores)
    assert ranking.tolist() == [[1, 2, 0], [0, 1, 2]]  # a tie keeps the documents' order
    ranks = se.rank_of(ranking, [2, 2])
    assert ranks.tolist() == [2, 3]
    assert se.recall_at_k(ranks, 1) == 0.0 and se.recall_at_k(ranks, 2) == 0.5
    assert se.mean_reciprocal_rank(ranks) == pytest.approx((1 / 2 + 1 / 3) / 2)


def test_pair_scores_are_the_log_odds_of_relevance(tok):
    torch.manual_seed(0)
    config = BertConfig.from_preset("tiny", vocab_size=30522, hidden_size=32, intermediate_size=64,
                                    num_hidden_layers=1, num_attention_heads=2, num_labels=2)
    cross = BertForSequenceClassification(config).eval()
    queries, docs = ["where is paris ?", "who wrote it ?", "why ?"], ["paris is in france .", "nobody .", "because ."]
    scores = se.pair_scores(cross, tok, queries, docs, batch_size=2)
    with torch.no_grad():
        logits = cross(**tok(queries[0], docs[0], return_tensors="pt")).logits[0]
    assert scores.shape == (3,)
    torch.testing.assert_close(scores[0], logits[1] - logits[0], atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError, match="3 queries but 2 documents"):
        se.pair_scores(cross, tok, queries, docs[:2])
