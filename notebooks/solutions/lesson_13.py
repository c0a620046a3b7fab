"""Lesson 13 solutions."""

ANSWERS = {
    # The stray I-LOC after O starts a LOC (words 1-2); each B-PER starts its own PER; the I-ORG after a
    # PER tag has another type, so it starts an ORG.
    "13.1": [("LOC", 1, 2), ("PER", 4, 4), ("PER", 5, 5), ("ORG", 6, 6)],
    # gabriel garcia marquez was born in ara ##cat ##aca . : the pieces of "Aracataca" (B-LOC) continue as I-LOC.
    "13.2": [None, "B-PER", "I-PER", "I-PER", "O", "O", "O", "B-LOC", "I-LOC", "I-LOC", "O", None],
    # 6 of 7 tags are right. Gold entities: Barack Obama (PER), Hawaii (LOC); predicted: Barack (PER),
    # Hawaii (LOC). One of two is correct: precision = recall = F1 = 1/2.
    "13.3": (6 / 7, 0.5),
}
