"""Lesson 11 solutions."""


def segment_ids(input_ids, sep_id):
    """0 for [CLS], sentence A and the first [SEP]; 1 for everything after it."""
    ids = list(input_ids)
    border = ids.index(sep_id) + 1                  # just after the first [SEP]
    return [0] * border + [1] * (len(ids) - border)


ANSWERS = {
    # "nobody is sleeping ." is 4 tokens, plus the final [SEP]: 5 tokens in segment B.
    "11.1": 5,
    # accuracy 1/3; F1(entailment) = 2 * (1/3 * 1) / (1/3 + 1) = 1/2, F1 = 0 for the two others: 1/6.
    "11.2": (1 / 3, 1 / 6),
    "11.3": segment_ids,
}
