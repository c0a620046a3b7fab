"""Sentence embeddings and search (lesson 17): one vector per sentence, compared by cosine similarity.

all-MiniLM-L6-v2 is a *sentence-transformers* model: a BERT (6 layers, H = 384), then **mean pooling** over
the real tokens (padding excluded), then L2 normalisation (its ``modules.json``: Transformer -> Pooling ->
Normalize; ``1_Pooling/config.json``: ``pooling_mode_mean_tokens``). Two sentences are close when the
cosine of their vectors, here simply their dot product, is high:

    u = normalize( sum_t m_t h_t / sum_t m_t ),     sim(a, b) = u_a . u_b      # m_t = 1 for a real token, 0 for padding

A **bi-encoder** embeds every sentence once, alone, so a corpus is embedded ahead of time and a query costs one
forward pass plus a matrix product. A **cross-encoder** reads the query and a sentence *together*
(``[CLS] query [SEP] sentence [SEP]``) and scores the pair: better, but one forward pass per pair, so it only
re-ranks the bi-encoder's top candidates. **BM25** (Robertson et al.) is the lexical baseline.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any, Sequence

import torch
import torch.nn.functional as F
from torch import nn

POOLINGS = ("mean", "cls", "pooler")


# --------------------------------------------------------------------------------------------- pooling
def mean_pooling(last_hidden_state: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """The mean of the vectors of the real tokens: (B, T, H) and (B, T) of 1/0 -> (B, H).

    As sentence-transformers computes it: padding vectors are multiplied by 0, the sum is divided by the
    number of real tokens (at least 1e-9, so an all-padding row gives 0, not NaN). [CLS] and [SEP] count
    as real tokens.
    """
    mask = attention_mask.unsqueeze(-1).to(last_hidden_state.dtype)  # (B, T, 1)
    return (last_hidden_state * mask).sum(1) / mask.sum(1).clamp_min(1e-9)  # (B, H)


def pool(output: Any, attention_mask: torch.Tensor, pooling: str = "mean") -> torch.Tensor:
    """One vector per sequence from a BertModel output: ``"mean"`` (above), ``"cls"`` (the final hidden
    state of [CLS], position 0) or ``"pooler"`` (tanh(W h_[CLS] + b), the NSP-trained pooler)."""
    if pooling == "mean":
        return mean_pooling(output.last_hidden_state, attention_mask)  # (B, H)
    if pooling == "cls":
        return output.last_hidden_state[:, 0]  # (B, H)
    if pooling == "pooler":
        if output.pooler_output is None:
            raise ValueError("this model has no pooler (add_pooling_layer=False); use 'mean' or 'cls'")
        return output.pooler_output  # (B, H)
    raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")


@torch.no_grad()
def encode(model: nn.Module, tokenizer: Any, texts: Sequence[str], pooling: str = "mean", normalize: bool = True,
           batch_size: int = 64, max_length: int = 256) -> torch.Tensor:
    """Sentence vectors (N, H) of ``texts``, in their order. The defaults are all-MiniLM-L6-v2's recipe:
    mean pooling, L2-normalised, inputs cut at 256 tokens (its ``sentence_bert_config.json``).

    Texts are batched by length, so that a batch pads little; padding never changes a vector (the mask).
    """
    if not texts:
        raise ValueError("no texts to encode")
    model.eval()
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    vectors: list[torch.Tensor] = [torch.empty(0)] * len(texts)
    for start in range(0, len(order), batch_size):
        indices = order[start:start + batch_size]
        enc = tokenizer([texts[i] for i in indices], padding=True, truncation=True, max_length=max_length,
                        return_tensors="pt")
        out = model(input_ids=enc["input_ids"], token_type_ids=enc["token_type_ids"],
                    attention_mask=enc["attention_mask"])
        pooled = pool(out, enc["attention_mask"], pooling)  # (b, H)
        if normalize:
            pooled = F.normalize(pooled, p=2, dim=-1)  # unit length: the dot product is the cosine
        for row, i in enumerate(indices):
            vectors[i] = pooled[row]
    return torch.stack(vectors)  # (N, H)


def cosine_similarities(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """(Q, H) and (N, H) -> (Q, N) cosines (the vectors need not be normalised)."""
    return F.normalize(a, dim=-1) @ F.normalize(b, dim=-1).T  # (Q, N)


# --------------------------------------------------------------------------------------------- BM25
def terms(text: str) -> list[str]:
    """Lower-cased words and numbers: the terms BM25 counts ("Eiffel Tower's" -> eiffel, tower, s)."""
    return re.findall(r"\w+", text.lower())


class BM25:
    """Okapi BM25 over a fixed collection of documents (lists of terms):

        score(q, d) = sum over terms t of q:  idf(t) * f(t, d) (k1 + 1) / (f(t, d) + k1 (1 - b + b |d| / avgdl))
        idf(t) = log(1 + (N - n_t + 0.5) / (n_t + 0.5))

    f(t, d): how often t occurs in d; n_t: how many of the N documents contain t; |d| / avgdl: the document's
    length against the average. k1 caps what repeating a term is worth, b how much long documents are
    penalised. (The idf is Lucene's, never negative.)
    """

    def __init__(self, documents: Sequence[Sequence[str]], k1: float = 1.5, b: float = 0.75) -> None:
        if not documents:
            raise ValueError("BM25 needs at least one document")
        self.k1, self.b = k1, b
        n = len(documents)
        lengths = torch.tensor([len(doc) for doc in documents], dtype=torch.float)  # (N,)
        norm = k1 * (1 - b + b * lengths / max(lengths.mean().item(), 1e-9))  # (N,)
        document_frequency = Counter(t for doc in documents for t in set(doc))
        self.vocabulary = {t: i for i, t in enumerate(sorted(document_frequency))}
        self.idf = {t: math.log(1 + (n - df + 0.5) / (df + 0.5)) for t, df in document_frequency.items()}
        # Every (document, term) pair's share of the score, precomputed: a sparse (N, V) matrix.
        rows, columns, values = [], [], []
        for d, doc in enumerate(documents):
            for term, f in Counter(doc).items():
                rows.append(d)
                columns.append(self.vocabulary[term])
                values.append(self.idf[term] * f * (k1 + 1) / (f + norm[d].item()))
        self.weights = torch.sparse_coo_tensor([rows, columns], values, (n, len(self.vocabulary)),
                                               check_invariants=True).coalesce()

    def scores(self, query: Sequence[str]) -> torch.Tensor:
        """The score of every document for one query (its terms): (N,)."""
        return self.score_all([query])[0]

    def score_all(self, queries: Sequence[Sequence[str]]) -> torch.Tensor:
        """(Q, N) scores: each query's terms (a repeated term counts once; an unknown one adds nothing)."""
        present = torch.zeros(len(self.vocabulary), len(queries))  # (V, Q): 1 where the query has the term
        for q, query in enumerate(queries):
            for term in set(query):
                if term in self.vocabulary:
                    present[self.vocabulary[term], q] = 1.0
        return torch.sparse.mm(self.weights, present).T  # (Q, N)


# --------------------------------------------------------------------------------------------- ranking
def rankings(scores: torch.Tensor) -> torch.Tensor:
    """(Q, N) scores -> (Q, N) document indices, best first (ties keep the documents' order)."""
    return scores.argsort(dim=-1, descending=True, stable=True)


def rank_of(ranking: torch.Tensor, relevant: Sequence[int]) -> torch.Tensor:
    """The 1-based rank at which each query's relevant document comes: (Q, N) rankings -> (Q,)."""
    target = torch.as_tensor(list(relevant)).unsqueeze(-1)  # (Q, 1)
    return (ranking == target).float().argmax(-1) + 1  # (Q,)


def recall_at_k(ranks: torch.Tensor, k: int) -> float:
    """The share of queries whose relevant document is in the top k (one relevant document a query)."""
    return (ranks <= k).float().mean().item()


def mean_reciprocal_rank(ranks: torch.Tensor) -> float:
    """MRR: the mean of 1 / rank of the relevant document."""
    return (1.0 / ranks.float()).mean().item()


# --------------------------------------------------------------------------------------------- cross-encoder
@torch.no_grad()
def pair_scores(model: nn.Module, tokenizer: Any, queries: Sequence[str], documents: Sequence[str],
                batch_size: int = 64, max_length: int = 128) -> torch.Tensor:
    """A cross-encoder's relevance of each (query, document) pair: (P,).

    ``model`` is a BertForSequenceClassification with two labels (0 = not relevant, 1 = relevant) reading
    ``[CLS] query [SEP] document [SEP]``; the score is the log-odds logit[1] - logit[0]. One forward pass
    per pair: that is its cost.
    """
    if len(queries) != len(documents):
        raise ValueError(f"{len(queries)} queries but {len(documents)} documents")
    model.eval()
    scores = []
    for start in range(0, len(queries), batch_size):
        enc = tokenizer(list(queries[start:start + batch_size]), list(documents[start:start + batch_size]),
                        padding=True, truncation=True, max_length=max_length, return_tensors="pt")
        logits = model(**enc).logits  # (b, 2)
        scores.append(logits[:, 1] - logits[:, 0])
    return torch.cat(scores)  # (P,)
