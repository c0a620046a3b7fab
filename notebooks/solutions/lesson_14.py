"""Lesson 14 solutions."""
import torch

from minibert.course.paths import data_dir
from minibert.tasks.metrics import rouge
from minibert.tasks.summarization import load_summaries


def allowed(T):
    """Query i may see key j when j <= i: the lower triangle, diagonal included."""
    return torch.ones(T, T, dtype=torch.bool).tril()


def lead3_rouge2():
    """The first three sentences of each dev document against its reference summary, ROUGE-2 averaged."""
    documents = load_summaries(data_dir() / "tasks" / "summarization" / "dev.jsonl").examples
    return rouge([" ".join(d.sentences[:3]) for d in documents], [d.summary for d in documents])["rouge2"]


ANSWERS = {
    # 3 items, 4 endings each; the longest (context, ending) pair of the three items has 36 tokens
    # ([CLS] ... [SEP] ... [SEP]): choice_collator pads every pair to it.
    "14.1": (3, 4, 36),
    # Words: the dog ran in the park (6) / a dog was running in the park (7). Shared: dog, in, the, park = 4
    # ("the" only once: the reference has it once). P = 4/6, R = 4/7, F = 2PR / (P + R) = 16/26.
    "14.2": 16 / 26,
    # The best three are 3.1 (index 2), 2.2 (index 4) and 0.5 (index 3), printed in document order.
    "14.3": [2, 3, 4],
    "14.4": allowed,
    # About 0.486: lower than lead-2, since a third sentence is seldom in the two-sentence reference.
    "14.5": lead3_rouge2(),
}

WRONG = {
    "14.1": [(3, 4, 64), (4, 3, 36), (3, 36)],  # padded to max_length; items and endings swapped; no choices axis
    "14.2": [4 / 11, 4 / 7],  # ROUGE-2's F; the recall alone
    "14.3": [[2, 4, 3], [1, 2, 3]],  # in the order of the scores; indices counted from 1
    "14.4": [lambda T: torch.ones(T, T, dtype=torch.bool).triu(),  # keys j >= i: the future, not the past
             lambda T: torch.ones(T, T, dtype=torch.bool).tril(-1)],  # the diagonal (itself) left out
    "14.5": [0.5319, 0.5635, 48.59],  # lead-2's ROUGE-2; lead-3's ROUGE-1; a percentage
}
