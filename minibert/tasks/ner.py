"""Named-entity recognition as token classification: word tags in, sub-token labels for the model, entities out.

CoNLL data tags words ("Obama" → I-PER), but BERT sees WordPiece sub-tokens ("obama" might be
["ob", "##ama"]). Training labels each word's first sub-token and gives the others -100, the label the loss
ignores (or, as an option, labels every sub-token). Prediction goes back the same way: a word takes the tag
predicted for its first sub-token, and consecutive tags form entities with the conlleval rules
(`minibert.tasks.metrics.get_entities`).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch

from minibert.tasks.metrics import get_entities
from minibert.tasks.qa import pad_batch

IGNORE_INDEX = -100  # positions with this label add nothing to the cross-entropy loss


def _label_id(tag: str, label2id: Mapping[str, int]) -> int:
    if tag not in label2id:
        raise KeyError(f"unknown label {tag!r}; the labels are {sorted(label2id)}")
    return label2id[tag]


def align_labels_with_tokens(word_labels: Sequence[str], word_ids: Sequence[int | None],
                             label2id: Mapping[str, int], label_all_tokens: bool = False) -> list[int]:
    """One label id per token, from one tag per word.

    ``word_ids[k]`` is the word token k comes from (None for [CLS], [SEP], padding). Special tokens get
    -100. The first sub-token of a word gets the word's tag; the others get -100, or with
    ``label_all_tokens`` the word's tag too, except that a continuation of ``B-X`` gets ``I-X``: one
    entity has one beginning.
    """
    labels = []
    previous = None
    for word in word_ids:
        if word is None:
            labels.append(IGNORE_INDEX)
        elif word >= len(word_labels):
            raise IndexError(f"token of word {word}, but there are only {len(word_labels)} word labels")
        elif word != previous:
            labels.append(_label_id(word_labels[word], label2id))
        elif label_all_tokens:
            tag = word_labels[word]
            labels.append(_label_id("I-" + tag[2:] if tag.startswith("B-") else tag, label2id))
        else:
            labels.append(IGNORE_INDEX)
        previous = word
    return labels


def tokenize_and_align(words_batch: Sequence[Sequence[str]], labels_batch: Sequence[Sequence[str]], tokenizer,
                       label2id: Mapping[str, int], max_length: int = 128,
                       label_all_tokens: bool = False) -> list[dict[str, Any]]:
    """Tokenize sentences given as words (truncated to ``max_length`` tokens) and align their tags.

    Returns one feature per sentence: ``input_ids``, ``token_type_ids``, ``attention_mask``, ``labels``
    (lists, not padded), and ``word_ids`` to map predictions back to words.
    """
    if len(words_batch) != len(labels_batch):
        raise ValueError(f"{len(words_batch)} sentences but {len(labels_batch)} label sequences")
    for i, (words, tags) in enumerate(zip(words_batch, labels_batch)):
        if len(words) != len(tags):
            raise ValueError(f"sentence {i} has {len(words)} words but {len(tags)} tags")
    enc = tokenizer([list(w) for w in words_batch], is_split_into_words=True, truncation=True,
                    max_length=max_length, return_word_ids=True)
    return [{"input_ids": enc["input_ids"][i], "token_type_ids": enc["token_type_ids"][i],
             "attention_mask": enc["attention_mask"][i], "word_ids": enc["word_ids"][i],
             "labels": align_labels_with_tokens(tags, enc["word_ids"][i], label2id, label_all_tokens)}
            for i, tags in enumerate(labels_batch)]


def collate_ner(features: Sequence[Mapping[str, Any]], pad_token_id: int = 0) -> dict[str, torch.Tensor]:
    """A token-classification batch padded to its longest sentence; padded labels are -100."""
    return pad_batch(features, {"input_ids": pad_token_id, "token_type_ids": 0, "attention_mask": 0,
                                "labels": IGNORE_INDEX})


def word_tags(num_words: int, word_ids: Sequence[int | None], token_pred_ids: Sequence[int],
              id2label: Mapping[int, str]) -> list[str]:
    """Each word's tag: the prediction at its first sub-token. A word with no token (cut off by
    truncation) gets "O"."""
    if len(word_ids) > len(token_pred_ids):
        raise ValueError(f"{len(word_ids)} tokens but only {len(token_pred_ids)} predictions")
    tags = ["O"] * num_words
    seen = set()
    for word, pred in zip(word_ids, token_pred_ids):
        if word is not None and word not in seen:
            seen.add(word)
            tags[word] = id2label[int(pred)]
    return tags


def aggregate_predictions(words: Sequence[str], word_ids: Sequence[int | None], token_pred_ids: Sequence[int],
                          id2label: Mapping[int, str], token_scores: Sequence[float] | None = None,
                          word_offsets: Sequence[tuple[int, int]] | None = None,
                          text: str | None = None) -> list[dict[str, Any]]:
    """Token predictions → entities ``{"entity_group", "word", "start", "end", "score"}``.

    ``start``/``end`` are character offsets: in ``text`` with ``word_offsets`` (each word's span in it),
    otherwise in the sentence written as the words joined by single spaces. ``score`` is the mean over the
    entity's words of the probability at their first sub-token (``token_scores``), None without scores.
    """
    if (word_offsets is None) != (text is None):
        raise ValueError("pass word_offsets and text together (or neither)")
    if word_offsets is None:
        text = " ".join(words)
        word_offsets, position = [], 0
        for w in words:
            word_offsets.append((position, position + len(w)))
            position += len(w) + 1
    if len(word_offsets) != len(words):
        raise ValueError(f"{len(words)} words but {len(word_offsets)} word offsets")

    first_token_score: dict[int, float] = {}
    if token_scores is not None:
        for word, score in zip(word_ids, token_scores):
            if word is not None:
                first_token_score.setdefault(word, float(score))

    entities = []
    for kind, first, last in get_entities(word_tags(len(words), word_ids, token_pred_ids, id2label)):
        start, end = word_offsets[first][0], word_offsets[last][1]
        scores = [first_token_score[w] for w in range(first, last + 1) if w in first_token_score]
        entities.append({"entity_group": kind, "word": text[start:end], "start": start, "end": end,
                         "score": sum(scores) / len(scores) if token_scores is not None and scores else None})
    return entities
