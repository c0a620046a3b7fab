"""Lesson 13 solutions."""
from minibert.course.paths import data_dir
from minibert.tasks.metrics import get_entities
from minibert.tasks.ner import load_conll

# 13.4: the lookup rebuilt the learner's way: every entity of the first 3500 training sentences with its most
# frequent type, then the longest entity starting at each word of the other 1000, scored entity by entity.
train = load_conll(data_dir() / "tasks" / "ner" / "train.txt").examples
fitted, unseen = train[:3500], train[3500:]
types: dict = {}
for e in fitted:
    for kind, a, b in get_entities(e.tags):
        types.setdefault(tuple(e.tokens[a:b + 1]), {}).setdefault(kind, 0)
        types[tuple(e.tokens[a:b + 1])][kind] += 1
lexicon = {m: max(counts, key=counts.get) for m, counts in types.items()}
longest = max(map(len, lexicon))
correct = predicted = gold = 0
for e in unseen:
    found, i = set(), 0
    while i < len(e.tokens):
        for n in range(min(longest, len(e.tokens) - i), 0, -1):
            if tuple(e.tokens[i:i + n]) in lexicon:
                found.add((lexicon[tuple(e.tokens[i:i + n])], i, i + n - 1))
                i += n
                break
        else:
            i += 1
    truth = set(get_entities(e.tags))
    correct, predicted, gold = correct + len(found & truth), predicted + len(found), gold + len(truth)
precision, recall = correct / predicted, correct / gold
seen_f1 = 2 * precision * recall / (precision + recall)

ANSWERS = {
    # The stray I-LOC after O starts a LOC (words 1-2); each B-PER starts its own PER; the I-ORG after a
    # PER tag has another type, so it starts an ORG.
    "13.1": [("LOC", 1, 2), ("PER", 4, 4), ("PER", 5, 5), ("ORG", 6, 6)],
    # gabriel garcia marquez was born in ara ##cat ##aca . : the pieces of "Aracataca" (B-LOC) continue as I-LOC.
    "13.2": [None, "B-PER", "I-PER", "I-PER", "O", "O", "O", "B-LOC", "I-LOC", "I-LOC", "O", None],
    # 6 of 7 tags are right. Gold entities: Barack Obama (PER), Hawaii (LOC); predicted: Barack (PER),
    # Hawaii (LOC). One of two is correct: precision = recall = F1 = 1/2.
    "13.3": (6 / 7, 0.5),
    # On unseen sentences about the same people and places, the lookup finds almost every entity: its
    # near-zero dev F1 comes from the held-out names, not from a broken baseline.
    "13.4": seen_f1,
}

WRONG = {
    "13.1": [[("PER", 4, 5), ("ORG", 6, 6)],                                 # stray I- ignored, B-PER B-PER merged
             [("LOC", 1, 2), ("PER", 4, 5), ("ORG", 6, 6)],                  # the two B-PER merged
             [("LOC", 1, 3), ("PER", 5, 5), ("PER", 6, 6), ("ORG", 7, 7)]],  # counted from 1
    "13.2": [[None, "B-PER", "I-PER", "I-PER", "O", "O", "O", "B-LOC", None, None, "O", None],      # first piece
             [None, "B-PER", "I-PER", "I-PER", "O", "O", "O", "B-LOC", "B-LOC", "B-LOC", "O", None]],  # B- copied
    "13.3": [(6 / 7, 6 / 7), (1.0, 1.0), (6 / 7, 2 / 3)],                    # F1 = accuracy; all right; P only
    "13.4": [0.008, 100 * seen_f1, 1.0],                                     # the dev F1; a percentage; perfect
}
