"""Named-entity recognition as token classification: word tags in, sub-token labels for the model, entities out.

CoNLL data tags words ("Obama" → I-PER), but BERT sees WordPiece sub-tokens ("obama" might be
["ob", "##ama"]). Training labels each word's first sub-token and gives the others -100, the label the loss
ignores (``minibert.heads.IGNORE_INDEX``; or, as an option, labels every sub-token). Prediction goes back the
same way: a word takes the tag predicted for its first sub-token, and consecutive tags form entities with the
conlleval rules (`minibert.tasks.metrics.get_entities`). The scores are entity-level precision, recall and F1
(conlleval/seqeval) and token accuracy, on words.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from minibert.heads import IGNORE_INDEX, BertForTokenClassification
from minibert.tasks.batching import DynamicPadding, input_padding, model_outputs
from minibert.tasks.formats import FormatError, TaskData, finish_loading, read_lines
from minibert.tasks.metrics import entity_scores, get_entities, token_accuracy
from minibert.tasks.task import Features, HFOptions, Pipeline, Task
from minibert.tasks.windows import stitch_windows

# ---------------------------------------------------------------------------------------------------
# The file format

@dataclass
class TokenExample:
    """One CoNLL sentence: words and their BIO tags (same length)."""
    tokens: list[str]
    tags: list[str]
    id: str | None = None


def iob1_to_bio(tags: list[str]) -> list[str]:
    """CoNLL-2003's IOB1 -> BIO. In IOB1 an entity starts with I-; B- is only used when an entity
    directly follows another of the same type. The rule: an ``I-X`` that starts an entity (first tag,
    or after ``O``, or after a tag of another type) becomes ``B-X``. BIO input comes out unchanged."""
    bio, previous = [], "O"
    for tag in tags:
        if tag.startswith("I-") and (previous == "O" or previous[2:] != tag[2:]):
            tag = "B-" + tag[2:]
        bio.append(tag)
        previous = tag
    return bio


def _check_tag(tag: str, path: Path, line: int, label_names: list[str] | None) -> None:
    if tag != "O" and not (tag[:2] in ("B-", "I-") and len(tag) > 2):
        raise FormatError(path, line, f"unknown tag {tag!r}: expected O, B-TYPE or I-TYPE")
    if label_names is not None and tag != "O" and "B-" + tag[2:] not in label_names:
        raise FormatError(path, line, f"unknown tag {tag!r}: expected one of {label_names}")


def load_conll(path: str | Path, label_names: list[str] | None = None) -> TaskData:
    """CoNLL-2003 NER: one word per line, whitespace-separated columns with the tag last (2 columns,
    ``word tag``, or 4, ``word POS chunk tag``; every line must have the same number), a blank line
    between sentences, ``-DOCSTART-`` lines between documents. Tags are converted from IOB1 to BIO
    (:func:`iob1_to_bio`; ``changed`` counts the rewritten tags); the middle columns are not used.
    ``label_names`` lists the tags found, ``O`` first, unless given (then every tag must be in it,
    so train and dev files share one label list)."""
    path, skipped = Path(path), Counter()
    examples: list[TokenExample] = []
    tokens: list[str] = []
    tags: list[str] = []
    n_columns, changed, document = None, 0, 0

    def end_sentence() -> None:
        nonlocal changed
        if tokens:
            bio = iob1_to_bio(tags)
            changed += sum(a != b for a, b in zip(tags, bio))
            examples.append(TokenExample(list(tokens), bio, id=f"{document}-{len(examples)}"))
            tokens.clear()
            tags.clear()

    for number, line in read_lines(path):
        columns = line.split()
        if not columns:
            end_sentence()
            continue
        if columns[0] == "-DOCSTART-":
            end_sentence()
            document += 1
            continue
        if n_columns is None:
            if len(columns) < 2:
                raise FormatError(path, number, f"expected 'word ... tag' (2 or more columns), got {line!r}")
            n_columns = len(columns)
        if len(columns) != n_columns:
            raise FormatError(path, number, f"expected {n_columns} columns (as on the first word line), "
                                            f"got {len(columns)}: {line!r}")
        _check_tag(columns[-1], path, number, label_names)
        tokens.append(columns[0])
        tags.append(columns[-1])
    end_sentence()
    found = sorted({t for e in examples for t in e.tags} - {"O"}, key=lambda t: (t[2:], t[:2]))
    names = list(label_names) if label_names else ["O"] + found
    return finish_loading(TaskData(examples, str(path), names, dict(skipped),
                                   {"IOB1 tags rewritten as B-": changed} if changed else {}))


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


def ner_collator(pad_token_id: int = 0) -> DynamicPadding:
    """Token-classification batches padded to their longest sentence (B, T); padded labels are -100."""
    return input_padding(pad_token_id, labels=IGNORE_INDEX)


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


# ---------------------------------------------------------------------------------------------------
# The model on features, the task and its pipeline


def task_features(examples: Sequence[TokenExample], tokenizer, max_length: int, label_names: Sequence[str],
                  train: bool) -> Features:
    """`Task.features`: aligned sub-token labels for training; for evaluation, which scores whole words,
    the word ids instead."""
    if train:
        label2id = {tag: i for i, tag in enumerate(label_names)}
        return tokenize_and_align([e.tokens for e in examples], [e.tags for e in examples], tokenizer,
                                  label2id, max_length=max_length)
    enc = tokenizer([e.tokens for e in examples], is_split_into_words=True, truncation=True,
                    max_length=max_length, return_word_ids=True)
    return [{key: enc[key][i] for key in ("input_ids", "token_type_ids", "attention_mask", "word_ids")}
            for i in range(len(examples))]


def ner_word_tags(model: BertForTokenClassification, examples: Sequence[TokenExample], features: Features,
                  batch_size: int) -> list[list[str]]:
    """Each word's predicted tag: the prediction at its first sub-token."""
    logits = model_outputs(model, features, ner_collator(model.config.pad_token_id), batch_size, ["logits"],
                           per_token=True)["logits"]
    return [word_tags(len(e.tokens), f["word_ids"], row.argmax(-1).tolist(), model.config.id2label)
            for e, f, row in zip(examples, features, logits)]


def evaluate(model: BertForTokenClassification, examples: Sequence[TokenExample], features: Features,
             batch_size: int = 32) -> dict[str, float]:
    """Entity-level micro precision/recall/F1 (conlleval/seqeval) and token accuracy, on words."""
    predicted = ner_word_tags(model, examples, features, batch_size)
    gold = [e.tags for e in examples]
    return {**entity_scores(gold, predicted), "token_accuracy": token_accuracy(gold, predicted)}


def from_hf_row(row: dict, options: HFOptions) -> TokenExample:
    """A conll2003-style row: ``tokens`` and integer ``ner_tags``, named by ``options.label_names`` (the
    dataset's ClassLabel names), then rewritten IOB1 -> BIO."""
    if options.label_names is None:
        raise ValueError("NER rows need label_names (the dataset's ner_tags feature names)")
    tags = iob1_to_bio([options.label_names[t] for t in row["ner_tags"]])
    return TokenExample(list(row["tokens"]), tags, row.get("id"))


class NerPipeline(Pipeline):
    """``ner("Barack Obama was born in Hawaii.")`` → entities, in text order:
    ``[{"entity_group": "PER", "word": "Barack Obama", "start": 0, "end": 12, "score": 0.99}, ...]``.

    Words are the tokenizer's words (split at spaces and punctuation); each takes the tag predicted at
    its first sub-token, consecutive tags form entities (conlleval's rules), and ``score`` is the mean
    probability of those tags. A text longer than the model's window is read in overlapping windows that
    share ``stride`` tokens (default: a quarter of the window); each token keeps the prediction of the
    window where it has the most context on both sides (`minibert.tasks.windows`, SQuAD's doc stride rule).
    """

    model_class = BertForTokenClassification

    def predict(self, inputs: list, stride: int | None = None) -> list:
        self._check_texts(inputs)
        stride = self.max_length // 4 if stride is None else stride
        enc = self.tokenizer(inputs, truncation=True, max_length=self.max_length, stride=stride,
                             return_overflowing_tokens=True, return_word_ids=True, return_offsets_mapping=True)
        windows = [{k: enc[k][i] for k in ("input_ids", "token_type_ids", "attention_mask")}
                   for i in range(len(enc["input_ids"]))]
        logits = model_outputs(self.model, windows, ner_collator(self.tokenizer.pad_token_id), self.batch_size,
                               ["logits"], per_token=True)["logits"]
        rows_of: dict[int, list[int]] = {}  # text -> its windows, in order
        for row, text_index in enumerate(enc["overflow_to_sample_mapping"]):
            rows_of.setdefault(text_index, []).append(row)
        results = []
        for text_index, text in enumerate(inputs):
            rows = rows_of[text_index]
            word_ids, offsets, probs = stitch_windows([enc["word_ids"][r] for r in rows],
                                                      [enc["offset_mapping"][r] for r in rows],
                                                      [logits[r].softmax(-1) for r in rows], stride, f"text {text_index}")
            spans: dict[int, tuple[int, int]] = {}  # word -> its character span, from its pieces' offsets
            for word, (start, end) in zip(word_ids, offsets):
                first, last = spans.get(word, (start, end))
                spans[word] = (min(first, start), max(last, end))
            word_offsets = [spans[w] for w in range(len(spans))]
            results.append(aggregate_predictions(
                [text[a:b] for a, b in word_offsets], word_ids, probs.argmax(-1).tolist(), self.model.config.id2label,
                token_scores=probs.max(-1).values.tolist(), word_offsets=word_offsets, text=text))
        return results


TASK = Task(
    name="ner", help="words -> PER / LOC / ORG / MISC tags: CoNLL-2003 columns",
    pipeline=NerPipeline, aliases=("token-classification",),
    model_class=BertForTokenClassification, load=load_conll, features=task_features, collator=ner_collator,
    evaluate=evaluate, metrics=("f1", "precision", "recall", "token_accuracy"), has_labels=True,
    from_hf_row=from_hf_row, hf_label_column="ner_tags",
)
