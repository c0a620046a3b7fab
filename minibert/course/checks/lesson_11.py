"""Lesson 11: sentence pairs and NLI."""
from __future__ import annotations

import functools
import math
from typing import Any

import torch

from minibert.course.corpus import course_corpus
from minibert.course.exercises import Hint, exercise, expect_function, expect_number, learners_code
from minibert.course.models import course_model, course_tokenizer
from minibert.pretraining_data import create_segment_pairs, tokenize_documents
from minibert.tasks.batching import input_padding, model_outputs
from minibert.tasks.metrics import accuracy, macro_f1
from minibert.tasks.nli import NLI_LABELS
from minibert.tokenizer import BertTokenizer

PAIR = ("A man is sleeping.", "Nobody is sleeping.")
PAIRS = [PAIR, ("Maria is running in Hamburg.", "Maria is in Peru."),
         ("A girl is eating bread in a restaurant in Cordoba.", "The girl is in Cordoba."), ("Just one sentence.", None)]


@functools.lru_cache(maxsize=1)
def _tokenizer() -> BertTokenizer:
    return BertTokenizer.from_pretrained("minilm")


@exercise("11.1", f"With the MiniLM tokenizer, how many tokens of the pair {PAIR} have token_type_id 1?")
def _segment_b_tokens(answer: Any) -> str | None:
    enc = _tokenizer()(*PAIR)
    expected = sum(enc["token_type_ids"])
    if isinstance(answer, bool) or not isinstance(answer, int):
        return "answer with a whole number"
    if answer == expected:
        return None
    if answer == expected - 1:
        return "the final [SEP] belongs to sentence B too"
    return "tokenize the pair and look at token_type_ids: 0 up to the first [SEP], 1 after it"


@exercise("11.2", "On a dev set with as many entailment, neutral and contradiction pairs, a model always answers "
                  "'entailment'. What are its (accuracy, macro_f1)?")
def _majority_scores(answer: Any) -> str | None:
    gold = list(NLI_LABELS) * 10
    predicted = ["entailment"] * len(gold)
    expected = (accuracy(gold, predicted), macro_f1(gold, predicted))
    try:
        values = [float(v) for v in answer]
    except (TypeError, ValueError):
        return "answer with two numbers: (accuracy, macro_f1)"
    if len(values) != 2:
        return "answer with two numbers: (accuracy, macro_f1)"
    if not math.isclose(values[0], expected[0], rel_tol=1e-3):
        return "accuracy: the share of pairs it gets right"
    if math.isclose(values[1], expected[1], rel_tol=1e-3):
        return None
    return ("F1 of entailment: precision 1/3, recall 1; the other two labels are never predicted: F1 = 0. "
            "Macro-F1 averages the three")


@exercise("11.3", "Write segment_ids(input_ids, sep_id): the token_type_ids of [CLS] A [SEP] B [SEP] "
                  "(0 up to and including the first [SEP], 1 after it; all 0 for a single sentence).")
def _segment_ids(answer: Any) -> str | None:
    expect_function(answer, "segment_ids(input_ids, sep_id)")
    tok = _tokenizer()
    for text, pair in PAIRS:
        enc = tok(text, pair)
        with learners_code("segment_ids"):
            ours = [int(i) for i in answer(list(enc["input_ids"]), tok.sep_token_id)]
        if ours != enc["token_type_ids"]:
            return f"for {(text, pair)} expected {enc['token_type_ids']}, got {ours}"
    return None


# Exercise 11.4: the segment ids given to the course model's NSP head, by what each token of a pair gets.
SEGMENT_CHOICES = {"as built": None, "all 0": 0, "all 1": 1}


@functools.lru_cache(maxsize=1)
def _nsp_accuracies() -> dict[str, float]:
    """The course model's NSP accuracy on lesson 11's 400 held-out pairs, with each choice of segment ids."""
    model, tokenizer = course_model(), course_tokenizer()
    documents = tokenize_documents(course_corpus("dev")[:300], tokenizer)
    pairs = create_segment_pairs(documents, max_seq_length=64, seed=0)[:400]
    gold = torch.tensor([p.next_sentence_label for p in pairs])
    out = {}
    for name, segment in SEGMENT_CHOICES.items():
        features = []
        for p in pairs:
            ids = p.input_ids(tokenizer.cls_token_id, tokenizer.sep_token_id)
            types = p.token_type_ids() if segment is None else [segment] * len(ids)
            features.append({"input_ids": ids, "token_type_ids": types, "attention_mask": [1] * len(ids)})
        logits = model_outputs(model, features, input_padding(tokenizer.pad_token_id), 64, ["seq_relationship_logits"],
                               per_token=False)["seq_relationship_logits"]
        out[name] = (torch.stack(logits).argmax(-1) == gold).float().mean().item()
    out["majority"] = max(gold.float().mean().item(), 1 - gold.float().mean().item())
    return out


@exercise("11.4", "Experiment: the lesson set every segment id of section 6's 400 held-out NSP pairs to 0. Set them "
                  "all to 1 instead (every token in segment B). What is the course model's NSP accuracy then?",
          experiment=True)
def _nsp_with_every_token_in_b(answer: Any) -> str | None:
    value = expect_number(answer)
    if value > 1:
        raise Hint("answer with a share between 0 and 1 (the accuracy), not a percentage")
    scores = _nsp_accuracies()
    if abs(value - scores["all 1"]) <= 0.004:
        return None
    if abs(value - scores["as built"]) <= 0.004:
        raise Hint("that is the accuracy with the pairs' own segment ids: replace them all by 1")
    if abs(value - scores["all 0"]) <= 0.004:
        raise Hint("that is the lesson's all-zero variant: this time every token_type_id is 1")
    if abs(value - scores["majority"]) <= 0.004:
        raise Hint("that is always answering the most frequent label: score the NSP head's predictions")
    return ("features as in section 6 with token_type_ids = [1] * len(input_ids); then the accuracy of the argmax "
            "of seq_relationship_logits against next_sentence_label")
