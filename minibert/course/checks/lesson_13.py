"""Lesson 13: named entity recognition."""
from __future__ import annotations

import math
from typing import Any

from minibert.course import baselines
from minibert.course.exercises import Hint, exercise, expect_number
from minibert.course.paths import data_dir
from minibert.heads import IGNORE_INDEX
from minibert.tasks.metrics import entity_scores, get_entities, token_accuracy
from minibert.tasks.ner import load_conll, tokenize_and_align
from minibert.tokenizer import BertTokenizer

TAGS = ["O", "I-LOC", "I-LOC", "O", "B-PER", "B-PER", "I-ORG"]
LABELS = ["O", "B-LOC", "I-LOC", "B-MISC", "I-MISC", "B-ORG", "I-ORG", "B-PER", "I-PER"]  # CoNLL-2003's
WORDS = ["Gabriel", "Garcia", "Marquez", "was", "born", "in", "Aracataca", "."]
WORD_TAGS = ["B-PER", "I-PER", "I-PER", "O", "O", "O", "B-LOC", "O"]
GOLD = ["B-PER", "I-PER", "O", "O", "O", "B-LOC", "O"]
PREDICTED = ["B-PER", "O", "O", "O", "O", "B-LOC", "O"]


@exercise("13.1", f"List the entities of the tags {' '.join(TAGS)} as (type, first, last) word indices, "
                  "with conlleval's rules.")
def _entities(answer: Any) -> str | None:
    expected = get_entities(TAGS)
    try:
        given = [(str(kind), int(a), int(b)) for kind, a, b in answer]
    except (TypeError, ValueError):
        return "answer with a list of (type, first, last) tuples, e.g. [('PER', 0, 1)]"
    if given == expected:
        return None
    if not any(kind == "LOC" for kind, _, _ in given) or not any(kind == "ORG" for kind, _, _ in given):
        return "an I- tag after O (or after another type) starts an entity too: a 'stray' I-"
    if sum(kind == "PER" for kind, _, _ in given) != 2:
        return "each B- starts a new entity, even right after one of the same type"
    return "indices are word positions counted from 0, and last is inclusive"


@exercise("13.2", f"With label_all_tokens=True, the tag of every token of {' '.join(WORDS)!r} (tags "
                  f"{' '.join(WORD_TAGS)}), as a list with None for -100 ([CLS], [SEP]).")
def _label_all(answer: Any) -> str | None:
    label2id = {tag: i for i, tag in enumerate(LABELS)}
    feature, = tokenize_and_align([WORDS], [WORD_TAGS], BertTokenizer.from_pretrained("minilm"), label2id,
                                  label_all_tokens=True)
    expected = [None if i == IGNORE_INDEX else LABELS[i] for i in feature["labels"]]
    if not isinstance(answer, (list, tuple)):
        return "answer with a list of tags (str) and None, one per token"
    answer = list(answer)
    if answer == expected:
        return None
    if len(answer) != len(expected):
        return (f"there are {len(expected)} tokens with [CLS] and [SEP]: tokenize the words with "
                "is_split_into_words=True and count the pieces")
    if answer.count(None) > 2:
        return "with label_all_tokens every piece of a word gets a tag; only [CLS] and [SEP] get None"
    return "a later piece of a B-X word gets I-X: an entity has only one beginning"


@exercise("13.3", f"The gold tags are {' '.join(GOLD)}, the predicted tags {' '.join(PREDICTED)}. What are the "
                  "token accuracy and the entity-level F1, as fractions: (accuracy, f1)?")
def _accuracy_f1(answer: Any) -> str | None:
    expected = (token_accuracy([GOLD], [PREDICTED]), entity_scores([GOLD], [PREDICTED])["f1"])
    try:
        accuracy, f1 = (float(x) for x in answer)
    except (TypeError, ValueError):
        return "answer with a pair of numbers (token accuracy, entity F1)"
    if math.isclose(accuracy, expected[0], abs_tol=1e-3) and math.isclose(f1, expected[1], abs_tol=1e-3):
        return None
    if not math.isclose(accuracy, expected[0], abs_tol=1e-3):
        return "token accuracy: right tags / all tags, O included"
    return "entity F1: 'Barack' alone is not the gold entity 'Barack Obama'; count correct, predicted and gold entities"


FITTED_ON = 3500  # the lookup is fitted on the first 3500 training sentences, scored on the other 1000


@exercise("13.4", "Experiment: fit the longest-match lookup of training entities (baselines.ner) on the first "
                  f"{FITTED_ON} training sentences only and score it on the remaining training sentences (unseen by "
                  "the lookup, but from the same part of the world) instead of the dev set. Its entity F1 (0-1)?",
          experiment=True)
def _lookup_on_the_training_world(answer: Any) -> str | None:
    value = expect_number(answer)
    if value > 1:
        raise Hint("answer with an F1 between 0 and 1, not a percentage")
    train = load_conll(data_dir() / "tasks" / "ner" / "train.txt").examples
    expected = baselines.ner(train[:FITTED_ON], train[FITTED_ON:])["longest-match lookup"]
    if abs(value - expected) <= 0.002:
        return None
    if abs(value - baselines.ner(train, train[FITTED_ON:])["longest-match lookup"]) <= 0.002:
        raise Hint(f"fit the lookup on the first {FITTED_ON} sentences only: the others must be unseen by it")
    dev = load_conll(data_dir() / "tasks" / "ner" / "dev.txt")
    if abs(value - baselines.ner(train, dev)["longest-match lookup"]) <= 0.002:
        raise Hint("that is the lookup on the dev sentences (the lesson's number): score it on training sentences")
    return (f"baselines.ner(train_data.examples[:{FITTED_ON}], train_data.examples[{FITTED_ON}:]), or tag those "
            "sentences with baselines.lookup_tags and score them with entity_scores")
