"""Lesson 17: a retrieval task with known answers, built from the course QA data.

Every sentence of every passage is a document, written ``"Title: sentence"`` (as DPR, Karpukhin et al. 2020,
prepends a passage's title: without it "She grew up in Kenya." could not be found); a question's relevant
document is the sentence that holds its answer. A question is not searched in the other passages with its
title (several course stories are about a "Clara": :meth:`RetrievalSet.allowed`).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from minibert.corpus import split_sentences
from minibert.course.paths import data_dir
from minibert.sentence_embeddings import rankings
from minibert.tasks.qa import load_squad


@dataclass
class RetrievalSet:
    documents: list[str]  # "Title: sentence", one per sentence of every passage (in file order)
    passage_of: list[int]  # the passage each document comes from
    titles: list[str]  # the title of each passage
    queries: list[str]  # the questions
    relevant: list[int]  # the document that holds each question's answer

    def allowed(self) -> torch.Tensor:
        """(Q, N) True where a query may retrieve a document: everywhere except in the *other* passages with
        the query's title. Several course stories are about a "Clara"; "What is the name of Clara's puppy?"
        has a different answer in each, so no search could know which one is meant."""
        passage = torch.tensor(self.passage_of)  # (N,)
        title_ids = {t: i for i, t in enumerate(dict.fromkeys(self.titles))}
        title = torch.tensor([title_ids[self.titles[p]] for p in self.passage_of])  # (N,)
        query_passage = passage[torch.tensor(self.relevant)]  # (Q,)
        same_title = title[None, :] == title[torch.tensor(self.relevant)][:, None]  # (Q, N)
        own = passage[None, :] == query_passage[:, None]  # (Q, N)
        return own | ~same_title

    def rank(self, scores: torch.Tensor) -> torch.Tensor:
        """Rankings (Q, N) of the documents a query may retrieve (the others go last)."""
        return rankings(scores.masked_fill(~self.allowed(), float("-inf")))


def retrieval_set(split: str) -> RetrievalSet:
    """The retrieval task of a split of the course QA data (``data/tasks/qa/<split>.json``)."""
    examples = load_squad(data_dir() / "tasks" / "qa" / f"{split}.json").examples
    documents, passage_of, titles, queries, relevant = [], [], [], [], []
    spans: dict[str, list[tuple[int, int, int]]] = {}  # passage -> (start, end, document) of its sentences
    for example in examples:
        if example.context not in spans:
            spans[example.context], cursor = [], 0
            titles.append(example.title.replace("_", " "))
            for sentence in split_sentences(example.context):
                start = example.context.index(sentence, cursor)
                cursor = start + len(sentence)
                spans[example.context].append((start, cursor, len(documents)))
                documents.append(f"{titles[-1]}: {sentence}")
                passage_of.append(len(spans) - 1)
        answer = example.answers[0].answer_start
        queries.append(example.question)
        relevant.append(next(d for start, end, d in spans[example.context] if start <= answer < end))
    return RetrievalSet(documents, passage_of, titles, queries, relevant)
