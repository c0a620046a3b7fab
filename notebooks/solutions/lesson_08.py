"""Lesson 08 solutions."""
from minibert.pretraining_data import NOT_NEXT


def other_document(n_documents, document_index, rng):
    # Draw among the n - 1 other documents, then skip over the current one: uniform, and never the same
    # document (retrying until a draw differs would work too, but takes a variable number of draws).
    index = rng.randrange(n_documents - 1)
    return index + 1 if index >= document_index else index


ANSWERS = {
    # The sky has nothing to do with football: NotNext, label 1 (0 = IsNext, as in BERT).
    "08.1": NOT_NEXT,
    # The longer segment loses a token at a time: A goes 30 -> 20 (total 40), then the budget is met.
    "08.2": 20,
    "08.3": other_document,
}
