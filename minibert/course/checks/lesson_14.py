"""Lesson 14: multiple choice, extractive summarization, translation."""
from __future__ import annotations

import functools
import math
from typing import Any

import torch

from minibert.course.exercises import exercise, expect_function, expect_number, learners_code
from minibert.course.paths import data_dir
from minibert.tasks import multiple_choice, summarization
from minibert.tasks.summarization import load_summaries
from minibert.tasks.metrics import rouge_n
from minibert.tasks.multiple_choice import load_swag
from minibert.tasks.translation_model import causal_mask
from minibert.tokenizer import BertTokenizer

PREDICTION, REFERENCE = "the dog ran in the park", "a dog was running in the park"
SCORES = [0.2, -1.0, 3.1, 0.5, 2.2, 0.4]


@functools.lru_cache(maxsize=1)
def _tokenizer() -> BertTokenizer:
    return BertTokenizer.from_pretrained("minilm")


@exercise("14.1", "The first 3 items of data/tasks/multiple_choice/dev.csv are tokenized with the MiniLM tokenizer "
                  "(mc.choice_features, max_length=64) and collated (mc.choice_collator()). What is the shape of "
                  "the batch's input_ids, as a tuple?")
def _choice_batch_shape(answer: Any) -> str | None:
    items = load_swag(data_dir() / "tasks" / "multiple_choice" / "dev.csv").examples[:3]
    features = multiple_choice.choice_features(items, _tokenizer(), max_length=64)
    expected = tuple(multiple_choice.choice_collator()(features)["input_ids"].shape)
    try:
        shape = tuple(int(n) for n in answer)
    except (TypeError, ValueError):
        return "answer with a tuple of whole numbers, e.g. (B, C, T)"
    if shape == expected:
        return None
    if len(shape) != 3:
        return "a multiple-choice batch has three dimensions: items, choices, tokens"
    if shape[:2] != expected[:2]:
        return "B items, C endings per item"
    return "T is the longest (context, ending) pair of the batch, [CLS] and both [SEP] included"


@exercise("14.2", f"What is the ROUGE-1 F-measure of the prediction {PREDICTION!r} against the reference {REFERENCE!r}?")
def _rouge1(answer: Any) -> str | None:
    value = expect_number(answer)
    expected = rouge_n(PREDICTION, REFERENCE, 1)
    if math.isclose(value, expected, rel_tol=1e-3):
        return None
    if math.isclose(value, rouge_n(PREDICTION, REFERENCE, 2), rel_tol=1e-3):
        return "that is ROUGE-2: count single words"
    return ("count the shared words (each at most as often as in both texts): P = shared / 6, R = shared / 7, "
            "F = 2PR / (P + R)")


@exercise("14.3", f"An extractive summarizer scored the sentences of a document {SCORES}. Which sentence indices "
                  "make its 3-sentence summary, in the order the summary prints them?")
def _selected(answer: Any) -> str | None:
    expected = summarization.select_sentences(SCORES, ["x"] * len(SCORES), 3)
    try:
        indices = [int(i) for i in answer]
    except (TypeError, ValueError):
        return "answer with a list of sentence indices"
    if indices == expected:
        return None
    if sorted(indices) == expected:
        return "the summary keeps the document's order, not the order of the scores"
    return "take the 3 highest scores (indices from 0)"


@exercise("14.4", "Write allowed(T): a (T, T) boolean tensor, True where query position i of a causal decoder may "
                  "attend to key position j.")
def _allowed(answer: Any) -> str | None:
    expect_function(answer, "allowed(T)")
    for T in (1, 2, 5, 9):
        expected = causal_mask(T, torch.float32, torch.device("cpu"))[0, 0] == 0  # (T, T)
        with learners_code(f"allowed({T})"):
            ours = torch.as_tensor(answer(T))
        if ours.shape != (T, T):
            return f"allowed({T}) should have shape ({T}, {T}), got {tuple(ours.shape)}"
        if not torch.equal(ours.bool(), expected):
            if torch.equal(ours.bool(), expected.T):
                return "rows are queries, columns keys: position i sees j <= i (the lower triangle)"
            return f"for T={T}: position i may see the positions j <= i, itself included"
    return None


@exercise("14.5", "Experiment: score the lead-3 baseline (the first three sentences of each document) on the "
                  "summarization dev set (data/tasks/summarization/dev.jsonl). What is its ROUGE-2 F-measure "
                  "(metrics.rouge, the mean over the documents, 0-1)?", experiment=True)
def _lead3_rouge2(answer: Any) -> str | None:
    value = expect_number(answer)
    documents = load_summaries(data_dir() / "tasks" / "summarization" / "dev.jsonl").examples
    leads = {k: summarization.lead_baseline(documents, k) for k in (1, 2, 3, 4)}
    if math.isclose(value, leads[3]["rouge2"], abs_tol=2e-3):
        return None
    for k in (1, 2, 4):
        if math.isclose(value, leads[k]["rouge2"], abs_tol=2e-3):
            return f"that is lead-{k}: keep the first three sentences of each document"
    if any(math.isclose(value, leads[3][name], abs_tol=2e-3) for name in ("rouge1", "rougeL")):
        return "that is ROUGE-1 or ROUGE-L: ROUGE-2 counts shared word pairs"
    if math.isclose(value, 100 * leads[3]["rouge2"], rel_tol=1e-2):
        return "give the F-measure between 0 and 1, not a percentage"
    return ("join the first three sentences of each dev document, score them against its summary with "
            "metrics.rouge, and read the 'rouge2' entry")
