"""Lesson 12 solutions."""
import torch

from minibert.course import baselines
from minibert.course.paths import data_dir
from minibert.tasks.metrics import f1
from minibert.tasks.qa import load_squad


def best_span(start_logits: torch.Tensor, end_logits: torch.Tensor, max_answer_length: int) -> tuple[int, int]:
    """Try every allowed (start, end) pair and keep the highest start + end logit."""
    T = len(start_logits)
    pairs = [(s, e) for s in range(T) for e in range(s, min(T, s + max_answer_length))]
    return max(pairs, key=lambda se: float(start_logits[se[0]] + end_logits[se[1]]))


# 12.5: the other rule, question by question: the best F1 against the gold answers, averaged, in %.
dev = [e for e in load_squad(data_dir() / "tasks" / "qa" / "dev.json").examples if e.answers]
per_question = [max(f1(baselines.best_span(e.question, e.context, rule="first unasked run"), a.text)
                    for a in e.answers) for e in dev]
first_run_f1 = 100 * sum(per_question) / len(per_question)

ANSWERS = {
    # [CLS] what is the capital of france ? [SEP] the capital of france is paris . [SEP]
    #   0    1    2  3     4    5    6     7   8    9    10    11   12   13   14  15  16
    "12.1": (14, 14),
    "12.2": best_span,
    # Normalised: "city of paris" (3 words). Against "paris": P = 1/3, R = 1, F1 = 0.5; against
    # "paris france": P = 1/3, R = 1/2, F1 = 0.4. No exact match; the best F1 is 50 %.
    "12.3": (0.0, 50.0),
    # Each window holds 128 - 10 - 3 = 115 passage tokens and starts 115 - 32 = 83 tokens after the previous
    # one: windows at 0, 83, 166 and 249 (249 + 115 >= 300), so 4 windows.
    "12.4": 4,
    "12.5": first_run_f1,
}


def best_span_any_order(start_logits: torch.Tensor, end_logits: torch.Tensor, max_answer_length: int
                        ) -> tuple[int, int]:
    """A plausible mistake: the best start and the best end taken separately (end may come before start)."""
    return int(start_logits.argmax()), int(end_logits.argmax())


WRONG = {
    "12.1": [(13, 13), (6, 6), (14, 15)],   # counted from 1 past [CLS]; 'france' in the question; end + 1
    "12.2": best_span_any_order,
    "12.3": [(0.0, 40.0), (0.0, 0.5), (100.0, 50.0)],  # the F1 against the second answer; a fraction; EM 1
    "12.4": [3, 2, 5],                       # windows without the overlap; 300 / 128; one too many
    "12.5": [first_run_f1 / 100, 27.86, 15.44],  # a fraction; the chosen rule's F1; the whole sentence
}
