"""Lesson 17 solutions."""
import math

import torch

from minibert import sentence_embeddings as se
from minibert.course.retrieval import retrieval_set


def mean_pool(last_hidden_state, attention_mask):
    # Padding positions are multiplied by 0 and not counted: sum(m_t h_t) / sum(m_t).
    mask = attention_mask.unsqueeze(-1).float()                        # (B, T, 1)
    return (last_hidden_state * mask).sum(1) / mask.sum(1).clamp_min(1e-9)


def mean_with_padding(last_hidden_state, attention_mask):
    # A mistake: the padding vectors are averaged in.
    return last_hidden_state.mean(1)


def bm25_mrr(k1, b):
    # The experiment of 17.4 with our own BM25 (the lesson's few lines) and the lesson's ranking rule.
    data = retrieval_set("dev")
    docs = [se.terms(d) for d in data.documents]
    avgdl = sum(map(len, docs)) / len(docs)
    df = {}
    for doc in docs:
        for t in set(doc):
            df[t] = df.get(t, 0) + 1
    rows = []
    for query in data.queries:
        row = []
        for doc in docs:
            score = 0.0
            for t in set(se.terms(query)):
                if t in df:
                    f = doc.count(t)
                    idf = math.log(1 + (len(docs) - df[t] + 0.5) / (df[t] + 0.5))
                    score += idf * f * (k1 + 1) / (f + k1 * (1 - b + b * len(doc) / avgdl))
            row.append(score)
        rows.append(row)
    ranking = data.rank(torch.tensor(rows))
    ranks = [ranking[q].tolist().index(r) + 1 for q, r in enumerate(data.relevant)]
    return sum(1 / r for r in ranks) / len(ranks)


ANSWERS = {
    "17.1": mean_pool,
    "17.2": (1 / 1 + 1 / 3 + 1 / 2 + 1 / 10) / 4,  # about 0.483
    "17.3": 1_000 + 50 + 50 * 20,  # documents once, queries once, and 20 pairs per query: 2,050
    "17.4": bm25_mrr(1.2, 0.0),
}

WRONG = {
    "17.1": [mean_with_padding, lambda h, m: h[:, 0]],
    "17.2": [1 / 4, 0.25, 4.0],
    "17.3": [50_000, 1_050, 1_000],
    "17.4": [bm25_mrr(1.5, 0.75), 0.5, 47.0],
}
