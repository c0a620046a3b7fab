"""The standard metric of each fine-tuning task, written out so a learner can read the definitions.

Scales follow each metric's own convention: accuracy, macro-F1, the entity scores (seqeval) and ROUGE
are fractions in [0, 1]; the SQuAD scores and BLEU are percentages in [0, 100], as the official SQuAD
script and sacrebleu print them.

- classification: `accuracy`, `macro_f1`, `confusion_matrix`
- extractive QA: `normalize_answer`, `exact_match`, `f1`, `squad`, `squad_v2`, `find_best_threshold`
- NER: `get_entities`, `entity_scores`, `token_accuracy`
- generation: `rouge`, `bleu`
"""
from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence

import sacrebleu

# ---------------------------------------------------------------------------------------------------
# Classification


def _check_same_length(y_true: Sequence, y_pred: Sequence) -> None:
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true has {len(y_true)} items but y_pred has {len(y_pred)}")
    if len(y_true) == 0:
        raise ValueError("cannot score an empty list of predictions")


def accuracy(y_true: Sequence[Hashable], y_pred: Sequence[Hashable]) -> float:
    """Fraction of items whose prediction equals the label."""
    _check_same_length(y_true, y_pred)
    return sum(t == p for t, p in zip(y_true, y_pred)) / len(y_true)


def macro_f1(y_true: Sequence[Hashable], y_pred: Sequence[Hashable]) -> float:
    """F1 of each class, averaged with equal weight per class (sklearn's ``average="macro"``).

    For one class c: F1 = 2·TP / (2·TP + FP + FN), the harmonic mean of precision and recall.
    The classes are every label seen in ``y_true`` or ``y_pred``. A rare class counts as much as a
    frequent one, so always predicting the majority class scores badly.
    """
    _check_same_length(y_true, y_pred)
    classes = set(y_true) | set(y_pred)
    scores = []
    for c in classes:
        tp = sum(t == c and p == c for t, p in zip(y_true, y_pred))
        fp = sum(t != c and p == c for t, p in zip(y_true, y_pred))
        fn = sum(t == c and p != c for t, p in zip(y_true, y_pred))
        scores.append(2 * tp / (2 * tp + fp + fn))  # never 0/0: c was seen, so tp + fp + fn > 0
    return sum(scores) / len(scores)


def confusion_matrix(y_true: Sequence[Hashable], y_pred: Sequence[Hashable],
                     labels: Sequence[Hashable] | None = None) -> list[list[int]]:
    """``matrix[i][j]`` = number of items of true class ``labels[i]`` predicted as ``labels[j]``.

    Rows are the truth, columns the prediction (sklearn's convention). ``labels`` defaults to the
    sorted set of labels seen.
    """
    _check_same_length(y_true, y_pred)
    labels = sorted(set(y_true) | set(y_pred)) if labels is None else list(labels)
    index = {label: i for i, label in enumerate(labels)}
    unknown = (set(y_true) | set(y_pred)) - index.keys()
    if unknown:
        raise ValueError(f"labels {sorted(map(str, unknown))} are not in labels={labels}")
    matrix = [[0] * len(labels) for _ in labels]
    for t, p in zip(y_true, y_pred):
        matrix[index[t]][index[p]] += 1
    return matrix


# ---------------------------------------------------------------------------------------------------
# Extractive QA, as the official SQuAD evaluation scripts (evaluate-v1.1.py, evaluate-v2.0.py) score it

_PUNCTUATION = set(string.punctuation)  # ASCII only: the official scripts keep "¿", "—", "“" ...


def normalize_answer(s: str) -> str:
    """Lower-case, drop ASCII punctuation, drop the articles a/an/the, collapse whitespace.

    The official scripts apply the steps in this order, so "The U.S.A." becomes "usa".
    """
    s = s.lower()
    s = "".join(ch for ch in s if ch not in _PUNCTUATION)
    s = re.sub(r"\b(a|an|the)\b", " ", s)
    return " ".join(s.split())


def exact_match(prediction: str, ground_truth: str) -> float:
    """1.0 when the normalised strings are equal, else 0.0."""
    return float(normalize_answer(prediction) == normalize_answer(ground_truth))


def f1(prediction: str, ground_truth: str) -> float:
    """Harmonic mean of precision and recall of the normalised tokens (a bag: repeated words count).

    When either side has no tokens (a SQuAD v2 "no answer" is the empty string), the score is 1.0 if
    both are empty and 0.0 otherwise, as in evaluate-v2.0.py. (evaluate-v1.1.py gives 0.0 even when
    both are empty; that only happens when a gold answer is made of articles and punctuation.)
    """
    pred_tokens = normalize_answer(prediction).split()
    gold_tokens = normalize_answer(ground_truth).split()
    if not pred_tokens or not gold_tokens:
        return float(pred_tokens == gold_tokens)
    common = sum((Counter(pred_tokens) & Counter(gold_tokens)).values())
    if common == 0:
        return 0.0
    precision = common / len(pred_tokens)
    recall = common / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)


def _best_over_golds(metric, prediction: str, gold_answers: Sequence[str]) -> float:
    """A question may have several correct answers: the prediction gets the best of its scores."""
    return max(metric(prediction, gold) for gold in gold_answers)


def _check_ids(predictions: Mapping[str, str], references: Mapping[str, Sequence[str]]) -> None:
    missing = references.keys() - predictions.keys()
    if missing:
        raise KeyError(f"no prediction for {len(missing)} question ids, e.g. {sorted(missing)[:3]}")
    if not references:
        raise ValueError("cannot score an empty set of questions")


def squad(predictions: Mapping[str, str], references: Mapping[str, Sequence[str]]) -> dict[str, float]:
    """SQuAD v1.1: mean exact match and F1 (in %) over the questions, each the best over its gold answers.

    ``predictions``: question id → answer text; ``references``: question id → gold answer texts.
    """
    _check_ids(predictions, references)
    for qid, golds in references.items():
        if not golds:
            raise ValueError(f"question {qid!r} has no gold answer: SQuAD v2 data needs squad_v2()")
    em = [_best_over_golds(exact_match, predictions[q], golds) for q, golds in references.items()]
    f = [_best_over_golds(f1, predictions[q], golds) for q, golds in references.items()]
    return {"exact_match": 100 * sum(em) / len(em), "f1": 100 * sum(f) / len(f)}


def _v2_raw_scores(predictions: Mapping[str, str], references: Mapping[str, Sequence[str]]
                   ) -> tuple[dict[str, float], dict[str, float], dict[str, bool]]:
    """Per-question exact and F1, and whether the question has an answer (a non-empty gold list).

    Gold answers that normalise to "" are dropped; a question left with none can only be matched by
    the empty prediction (even if it counts as answerable, as in the official script)."""
    exact, f, has_ans = {}, {}, {}
    for qid, golds in references.items():
        has_ans[qid] = bool(golds)
        golds = [g for g in golds if normalize_answer(g)] or [""]
        exact[qid] = _best_over_golds(exact_match, predictions[qid], golds)
        f[qid] = _best_over_golds(f1, predictions[qid], golds)
    return exact, f, has_ans


def find_best_threshold(predictions: Mapping[str, str], scores: Mapping[str, float],
                        na_probs: Mapping[str, float], has_ans: Mapping[str, bool]) -> tuple[float, float]:
    """The no-answer threshold that maximises the total score, and that score in %.

    A question is answered "" when ``na_probs[qid] > threshold``. Start with every question answered ""
    (each unanswerable one scores 1), then raise the threshold past the questions in order of
    ``na_probs``: each one passed now keeps its prediction, gaining ``scores[qid]`` if it has an answer
    and losing 1 if it has none but the prediction is not empty. Keep the best point, as
    evaluate-v2.0.py's ``find_best_thresh`` does. One difference: when answering "" everywhere is best,
    the official script reports a threshold of 0.0, which need not reproduce that score; this returns
    ``-inf``, which does.
    """
    score = best_score = sum(not has_ans[q] for q in scores)
    best_threshold = float("-inf")
    for qid in sorted(scores, key=lambda q: na_probs[q]):
        if has_ans[qid]:
            score += scores[qid]
        elif predictions[qid]:
            score -= 1
        if score > best_score:
            best_score, best_threshold = score, na_probs[qid]
    return 100 * best_score / len(scores), best_threshold


def squad_v2(predictions: Mapping[str, str], references: Mapping[str, Sequence[str]],
             na_probs: Mapping[str, float] | None = None, na_prob_thresh: float = 1.0) -> dict[str, float]:
    """SQuAD v2.0 as evaluate-v2.0.py scores it, in %.

    ``references[qid]`` is an empty list for an unanswerable question; the empty prediction means
    "no answer". Reports the totals, the answerable (``HasAns_*``) and unanswerable (``NoAns_*``)
    subsets. With ``na_probs`` (question id → no-answer score, higher = more likely no answer), a
    prediction whose score is above ``na_prob_thresh`` counts as "", and ``best_exact``/``best_f1`` with
    their thresholds are added (see `find_best_threshold`).
    """
    _check_ids(predictions, references)
    exact_raw, f1_raw, has_ans = _v2_raw_scores(predictions, references)

    def thresholded(raw: dict[str, float]) -> dict[str, float]:
        if na_probs is None:
            return raw
        return {q: float(not has_ans[q]) if na_probs[q] > na_prob_thresh else s for q, s in raw.items()}

    exact, f = thresholded(exact_raw), thresholded(f1_raw)
    out: dict[str, float] = {}
    subsets = {"": list(references), "HasAns_": [q for q in references if has_ans[q]],
               "NoAns_": [q for q in references if not has_ans[q]]}
    for prefix, qids in subsets.items():
        if qids:
            out[prefix + "exact"] = 100 * sum(exact[q] for q in qids) / len(qids)
            out[prefix + "f1"] = 100 * sum(f[q] for q in qids) / len(qids)
            out[prefix + "total"] = len(qids)
    if na_probs is not None:
        out["best_exact"], out["best_exact_thresh"] = find_best_threshold(predictions, exact_raw, na_probs, has_ans)
        out["best_f1"], out["best_f1_thresh"] = find_best_threshold(predictions, f1_raw, na_probs, has_ans)
    return out


# ---------------------------------------------------------------------------------------------------
# NER: entity-level scores, as conlleval and seqeval (default mode) compute them

Entity = tuple[str, int, int]  # (type, first token index, last token index), inclusive like seqeval


def _split_tag(tag: str) -> tuple[str, str]:
    """'B-PER' → ('B', 'PER'); 'O' → ('O', '')."""
    if tag == "O":
        return "O", ""
    prefix, sep, kind = tag.partition("-")
    if prefix not in ("B", "I") or not sep or not kind:
        raise ValueError(f"tag {tag!r} is not O, B-TYPE or I-TYPE (BIO or IOB1 tagging)")
    return prefix, kind


def get_entities(tags: Sequence[str]) -> list[Entity]:
    """Entities in a BIO or IOB1 tag sequence, with conlleval's rules.

    An entity starts at B-X, or at I-X when the previous tag is O or has another type (a "stray" I-,
    which is how IOB1 starts every entity). It continues through I-X of the same type and ends before
    O, before any B-, and before a tag of another type.
    """
    entities = []
    start, kind = None, ""
    for i, tag in enumerate(list(tags) + ["O"]):  # the sentinel O closes a final entity
        prefix, new_kind = _split_tag(tag)
        continues = prefix == "I" and new_kind == kind and start is not None
        if start is not None and not continues:
            entities.append((kind, start, i - 1))
            start = None
        if prefix != "O" and not continues:
            start, kind = i, new_kind
    return entities


def _check_sentences(y_true: Sequence[Sequence[str]], y_pred: Sequence[Sequence[str]]) -> None:
    _check_same_length(y_true, y_pred)
    for i, (t, p) in enumerate(zip(y_true, y_pred)):
        if len(t) != len(p):
            raise ValueError(f"sentence {i}: {len(t)} gold tags but {len(p)} predicted tags")


def entity_scores(y_true: Sequence[Sequence[str]], y_pred: Sequence[Sequence[str]]) -> dict[str, float]:
    """Micro-averaged entity precision, recall and F1 over sentences of tags.

    A predicted entity is correct only if a gold entity has the same type and exactly the same span.
    precision = correct / predicted, recall = correct / gold, F1 = their harmonic mean (0 when the
    denominator is 0, as seqeval reports it).
    """
    _check_sentences(y_true, y_pred)
    gold = {(s, *e) for s, tags in enumerate(y_true) for e in get_entities(tags)}
    pred = {(s, *e) for s, tags in enumerate(y_pred) for e in get_entities(tags)}
    correct = len(gold & pred)
    precision = correct / len(pred) if pred else 0.0
    recall = correct / len(gold) if gold else 0.0
    f = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f}


def token_accuracy(y_true: Sequence[Sequence[str]], y_pred: Sequence[Sequence[str]]) -> float:
    """Fraction of tokens (O included) whose tag is right: high even for a model that finds no entity."""
    _check_sentences(y_true, y_pred)
    return accuracy([t for s in y_true for t in s], [p for s in y_pred for p in s])


# ---------------------------------------------------------------------------------------------------
# Generation: ROUGE for summaries, BLEU for translations


def rouge_tokenize(text: str) -> list[str]:
    """Lower-case runs of ASCII letters and digits, like rouge-score's tokenizer.

    Difference from Google's rouge-score: it can Porter-stem tokens (``use_stemmer=True``, common in
    papers), so "running" and "runs" match there and not here. Without stemming the two agree.
    """
    return re.findall(r"[a-z0-9]+", text.lower())


def _ngrams(tokens: list[str], n: int) -> Counter:
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def _f_measure(overlap: int, n_pred: int, n_ref: int) -> float:
    precision = overlap / n_pred if n_pred else 0.0
    recall = overlap / n_ref if n_ref else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def rouge_n(prediction: str, reference: str, n: int) -> float:
    """ROUGE-N F-measure: overlap of n-gram counts (each n-gram matched at most as often as in both)."""
    pred, ref = _ngrams(rouge_tokenize(prediction), n), _ngrams(rouge_tokenize(reference), n)
    return _f_measure(sum((pred & ref).values()), sum(pred.values()), sum(ref.values()))


def _lcs_length(a: list[str], b: list[str]) -> int:
    """Length of the longest common subsequence (in order, not necessarily contiguous): dynamic programming."""
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def rouge_l(prediction: str, reference: str) -> float:
    """ROUGE-L F-measure: precision and recall of the longest common subsequence (rouge-score's rougeL)."""
    pred, ref = rouge_tokenize(prediction), rouge_tokenize(reference)
    return _f_measure(_lcs_length(pred, ref), len(pred), len(ref))


def rouge(predictions: Sequence[str], references: Sequence[str]) -> dict[str, float]:
    """Mean ROUGE-1, ROUGE-2 and ROUGE-L F-measures over (prediction, reference) pairs, in [0, 1]."""
    _check_same_length(predictions, references)
    pairs = list(zip(predictions, references))
    return {"rouge1": sum(rouge_n(p, r, 1) for p, r in pairs) / len(pairs),
            "rouge2": sum(rouge_n(p, r, 2) for p, r in pairs) / len(pairs),
            "rougeL": sum(rouge_l(p, r) for p, r in pairs) / len(pairs)}


def bleu(predictions: Sequence[str], references: Sequence[str] | Sequence[Sequence[str]]) -> float:
    """Corpus BLEU (0-100) with sacrebleu's standard tokenisation, the number papers report.

    ``references`` holds one reference per prediction, or a list of references per prediction (all the
    same length).
    """
    _check_same_length(predictions, references)
    per_prediction = [[r] if isinstance(r, str) else list(r) for r in references]
    if len({len(refs) for refs in per_prediction}) != 1:
        raise ValueError("every prediction needs the same number of references")
    streams = [list(stream) for stream in zip(*per_prediction)]  # sacrebleu wants one list per reference set
    return sacrebleu.corpus_bleu(list(predictions), streams).score
