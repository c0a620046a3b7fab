"""Simple baselines for the course's fine-tuning tasks: what a sceptic tries before believing a BERT score.

A fine-tuned model's score means something only next to what a much simpler method gets on the same
held-out data. Each function here takes the training examples and the examples to score (dev or test),
as the ``minibert.tasks.formats`` loaders return them (a ``TaskData`` or a list of examples), fits what
the baseline needs on the training examples only, and returns ``{baseline name: score}`` in the metric
fine-tuning reports for the task (``METRICS``: accuracy, entity F1 and ROUGE in [0, 1], SQuAD F1/EM and
BLEU in [0, 100])::

    from minibert.course import baselines
    from minibert.tasks.classification import load_glue_tsv
    train, dev = (load_glue_tsv(f"data/tasks/sentiment/{s}.tsv") for s in ("train", "dev"))
    baselines.sentiment(train, dev)  # {"majority": 0.5, "bag of words": ..., "bag of uni+bigrams": ...}

The classifiers are logistic regressions on bags of words, written in torch (full batch, weights start
at zero, so they are deterministic); each function runs in a few seconds on one core.
``python -m minibert.course.baseline_table [--finetuned]`` scores them all on the course data and writes the
table of ``data/README.md`` (``minibert/course/baseline_table.py``).
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence

import torch
import torch.nn.functional as F

from minibert.tasks.classification import TextExample
from minibert.tasks.metrics import (
    accuracy,
    bleu,
    entity_scores,
    exact_match,
    f1,
    get_entities,
    normalize_answer,
    rouge,
    squad,
)
from minibert.tasks.multiple_choice import ChoiceExample
from minibert.tasks.ner import TokenExample
from minibert.tasks.qa import QAExample
from minibert.tasks.summarization import SummaryExample
from minibert.tasks.translation import ParallelExample

METRICS = {"sentiment": "accuracy", "nli": "accuracy", "qa": "f1", "qa_v2": "f1", "ner": "f1",
           "multiple_choice": "accuracy", "summarization": "rouge2", "translation": "bleu"}
# Words that say nothing about what a question asks for: not counted as overlap.
STOP_WORDS = frozenset("a an the of in on at to for and or is are was were be do does did what which who whom "
                       "where when how why whose name its it his her their s".split())


def words(text: str) -> list[str]:
    """Lower-cased words and punctuation marks: "Not bad, at all." -> not bad , at all ."""
    return re.findall(r"\w+|[^\w\s]", text.lower())


def bag(text: str, bigrams: bool = True, prefix: str = "") -> list[str]:
    """The features of a text: its words, and with ``bigrams`` its pairs of neighbouring words."""
    w = words(text)
    grams = w + ([f"{a} {b}" for a, b in zip(w, w[1:])] if bigrams else [])
    return [prefix + g for g in grams]


# --------------------------------------------------------------------------------------------- a linear model
def fit_linear(features: Sequence[Sequence[str]], labels: Sequence[int], n_classes: int, steps: int = 150,
               lr: float = 0.1, l2: float = 1e-4) -> Callable[[Sequence[Sequence[str]]], torch.Tensor]:
    """Multinomial logistic regression on bags of features: ``score(bag)[c] = b[c] + sum_f W[f, c]``.

    Trained on all of ``features`` at once with Adam and an L2 penalty; returns a function giving the
    scores (N, n_classes) of new bags (features unseen in training count zero).
    """
    vocab = {f: i for i, f in enumerate(sorted({f for fs in features for f in fs}))}

    def encode(bags: Sequence[Sequence[str]]) -> tuple[torch.Tensor, torch.Tensor]:
        ids = [sorted({vocab[f] for f in fs if f in vocab}) for fs in bags]  # presence, not counts
        offsets = torch.tensor([0] + [len(i) for i in ids[:-1]]).cumsum(0)
        return torch.tensor([i for row in ids for i in row], dtype=torch.long), offsets

    weights = torch.zeros(len(vocab) + 1, n_classes, requires_grad=True)  # the last row: the bias
    bias_row = torch.tensor([len(vocab)])

    def scores(bags: Sequence[Sequence[str]]) -> torch.Tensor:
        ids, offsets = encode(bags)
        return F.embedding_bag(ids, weights, offsets, mode="sum") + weights[bias_row]  # (N, C)

    ids, offsets = encode(features)
    y = torch.tensor(list(labels))
    optimizer = torch.optim.Adam([weights], lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        logits = F.embedding_bag(ids, weights, offsets, mode="sum") + weights[bias_row]
        loss = F.cross_entropy(logits, y) + l2 * weights[:-1].pow(2).sum()
        loss.backward()
        optimizer.step()
    return lambda bags: scores(bags).detach()


def _predict_classes(train_bags, train_labels, eval_bags) -> list[int]:
    model = fit_linear(train_bags, train_labels, max(train_labels) + 1)
    return model(eval_bags).argmax(-1).tolist()


def _majority(labels: Sequence[int]) -> int:
    return Counter(labels).most_common(1)[0][0]


# --------------------------------------------------------------------------------------------- the tasks
def sentiment(train: Iterable[TextExample], dev: Iterable[TextExample]) -> dict[str, float]:
    """Accuracy of: the training majority label; a logistic regression on the words of the sentence;
    one on its words and bigrams ("not bad", "great but")."""
    train, dev = list(train), list(dev)
    y, gold = [e.label for e in train], [e.label for e in dev]
    out = {"majority": accuracy(gold, [_majority(y)] * len(dev))}
    for name, bigrams in (("bag of words", False), ("bag of uni+bigrams", True)):
        predicted = _predict_classes([bag(e.text, bigrams) for e in train], y, [bag(e.text, bigrams) for e in dev])
        out[name] = accuracy(gold, predicted)
    return out


def _pair_bag(e: TextExample) -> list[str]:
    """Premise and hypothesis as separate bags, plus the hypothesis words the premise does not have."""
    premise = set(words(e.text))
    new = [f"new:{w}" for w in words(e.text_pair) if w not in premise]
    return bag(e.text, prefix="p:") + bag(e.text_pair, prefix="h:") + new


def nli(train: Iterable[TextExample], dev: Iterable[TextExample]) -> dict[str, float]:
    """Accuracy of: the majority label; a logistic regression on the hypothesis alone (words and
    bigrams: SNLI's "hypothesis-only" artefact test); one on premise and hypothesis bags plus the
    hypothesis words missing from the premise."""
    train, dev = list(train), list(dev)
    y, gold = [e.label for e in train], [e.label for e in dev]
    out = {"majority": accuracy(gold, [_majority(y)] * len(dev))}
    out["hypothesis only (uni+bigrams)"] = accuracy(gold, _predict_classes(
        [bag(e.text_pair) for e in train], y, [bag(e.text_pair) for e in dev]))
    out["premise + hypothesis (uni+bigrams, new words)"] = accuracy(gold, _predict_classes(
        [_pair_bag(e) for e in train], y, [_pair_bag(e) for e in dev]))
    return out


# --- question answering
def sentences(context: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", context) if s]


def _content(text: str) -> set[str]:
    return set(normalize_answer(text).split()) - STOP_WORDS


def best_sentence(question: str, context: str) -> str:
    """The context sentence sharing most words with the question (the first of equals)."""
    asked = set(normalize_answer(question).split())
    return max(sentences(context), key=lambda s: len(asked & set(normalize_answer(s).split())))


def _unasked_runs(question: str, sentence: str) -> list[str]:
    """The runs of consecutive words of ``sentence`` that the question does not contain."""
    asked = set(normalize_answer(question).split())
    runs, run = [], []
    for word in sentence.split():
        if normalize_answer(word) in asked:
            if run:
                runs.append(" ".join(run))
            run = []
        else:
            run.append(word.strip(".,;:!?"))
    return [r for r in runs + [" ".join(run)] if r]


def _window_after(question: str, sentence: str, n: int) -> str:
    """The ``n`` words after the last word of ``sentence`` that the question contains."""
    asked = set(normalize_answer(question).split())
    words_ = [w.strip(".,;:!?") for w in sentence.split()]
    last = max((i for i, w in enumerate(words_) if normalize_answer(w) in asked), default=-1)
    return " ".join(words_[last + 1:last + 1 + n])


# Ways to cut an answer out of the best sentence; ``qa`` keeps the one that scores best on training questions.
SPAN_RULES: dict[str, Callable[[str, str], str]] = {
    "first unasked run": lambda q, s: (_unasked_runs(q, s) or [s])[0],
    "last unasked run": lambda q, s: (_unasked_runs(q, s) or [s])[-1],
    "shortest unasked run": lambda q, s: min(_unasked_runs(q, s) or [s], key=lambda r: len(r.split())),
    **{f"{n} words after the question's words": (lambda q, s, n=n: _window_after(q, s, n)) for n in (1, 2, 3, 4)},
}


def best_span(question: str, context: str, rule: str = "last unasked run") -> str:
    """A span of the best sentence, cut by ``rule`` (a key of ``SPAN_RULES``)."""
    return SPAN_RULES[rule](question, best_sentence(question, context))


def best_span_rule(train: Sequence[QAExample]) -> str:
    """The span rule with the best F1 on the (answerable) training questions."""
    best = {e.id: best_sentence(e.question, e.context) for e in train}
    return max(SPAN_RULES, key=lambda r: _squad_scores(train, lambda e: SPAN_RULES[r](e.question, best[e.id]))["f1"])


def _squad_scores(examples: Sequence[QAExample], answer: Callable[[QAExample], str]) -> dict[str, float]:
    predictions = {e.id: answer(e) for e in examples}
    return squad(predictions, {e.id: [a.text for a in e.answers] for e in examples})


def qa(train: Iterable[QAExample], dev: Iterable[QAExample], metric: str = "f1") -> dict[str, float]:
    """SQuAD ``metric`` ("f1" or "exact_match", 0-100) of: the whole context sentence with most words in
    common with the question; a span of that sentence, cut by the rule of ``SPAN_RULES`` (a run of
    words the question does not contain, or the words after the last one it does) that scores best on
    the training questions. Unanswerable questions (SQuAD v2) are left out: see ``qa_v2``."""
    dev = [e for e in dev if e.answers]
    rule = best_span_rule([e for e in train if e.answers])
    return {"best-overlap sentence": _squad_scores(dev, lambda e: best_sentence(e.question, e.context))[metric],
            f"best-overlap span ({rule})": _squad_scores(dev, lambda e: best_span(e.question, e.context, rule))[metric]}


def _overlap_count(question: str, sentence: str) -> int:
    return len(set(normalize_answer(question).split()) & set(normalize_answer(sentence).split()))


def qa_v2(train: Iterable[QAExample], dev: Iterable[QAExample], metric: str = "f1") -> dict[str, float]:
    """SQuAD v2 ``metric`` (0-100) over all questions of: always "no answer"; the best-overlap span for
    every question; that span, or "no answer" when the best sentence shares fewer than ``k`` words with
    the question (``k`` chosen on the training questions)."""
    train, dev = list(train), list(dev)
    rule = best_span_rule([e for e in train if e.answers])
    score = {"f1": f1, "exact_match": exact_match}[metric]

    def mean(examples: list[QAExample], answer: Callable[[QAExample], str], measure=score) -> float:
        return 100 * sum(max(measure(answer(e), g.text) for g in e.answers) if e.answers else
                         measure(answer(e), "") for e in examples) / len(examples)

    def thresholded(k: int) -> Callable[[QAExample], str]:
        def answer(e: QAExample) -> str:
            sentence = best_sentence(e.question, e.context)
            return SPAN_RULES[rule](e.question, sentence) if _overlap_count(e.question, sentence) >= k else ""
        return answer

    k = max(range(8), key=lambda k: mean(train, thresholded(k), f1))
    return {"always no answer": mean(dev, lambda e: ""),
            f"best-overlap span ({rule})": mean(dev, lambda e: best_span(e.question, e.context, rule)),
            f"best-overlap span, no answer below {k} shared words": mean(dev, thresholded(k))}


# --- named entities
def entity_lexicon(train: Iterable[TokenExample]) -> dict[tuple[str, ...], str]:
    """Every entity of the training sentences (its words) with the type it has most often."""
    types: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    for e in train:
        for kind, start, end in get_entities(e.tags):
            types[tuple(e.tokens[start:end + 1])][kind] += 1
    return {mention: counts.most_common(1)[0][0] for mention, counts in types.items()}


def lookup_tags(tokens: Sequence[str], lexicon: dict[tuple[str, ...], str]) -> list[str]:
    """Tag ``tokens`` by the longest training entity that starts at each position, left to right."""
    longest = max(map(len, lexicon), default=0)
    tags, i = ["O"] * len(tokens), 0
    while i < len(tokens):
        for n in range(min(longest, len(tokens) - i), 0, -1):
            kind = lexicon.get(tuple(tokens[i:i + n]))
            if kind:
                tags[i:i + n] = [f"B-{kind}"] + [f"I-{kind}"] * (n - 1)
                i += n
                break
        else:
            i += 1
    return tags


def ner(train: Iterable[TokenExample], dev: Iterable[TokenExample]) -> dict[str, float]:
    """Entity F1 (seqeval, 0-1) of the longest-match lookup of training entities (conlleval's baseline)."""
    lexicon, dev = entity_lexicon(train), list(dev)
    predicted = [lookup_tags(e.tokens, lexicon) for e in dev]
    return {"longest-match lookup": entity_scores([e.tags for e in dev], predicted)["f1"]}


def mention_overlap(train: Iterable[TokenExample], dev: Iterable[TokenExample]) -> float:
    """The fraction of ``dev``'s entity mentions whose words are also an entity in ``train``."""
    lexicon = entity_lexicon(train)
    mentions = [tuple(e.tokens[s:t + 1]) for e in dev for _, s, t in get_entities(e.tags)]
    return sum(m in lexicon for m in mentions) / len(mentions)


# --- multiple choice
def _overlap(e: ChoiceExample, ending: str) -> int:
    return len(_content(ending) & _content(f"{e.context} {e.start}"))


def multiple_choice(train: Iterable[ChoiceExample], dev: Iterable[ChoiceExample]) -> dict[str, float]:
    """Accuracy of: the position most often right in training; the ending sharing most content words
    with the context and the sentence start (the first of equals); a logistic regression that scores
    each ending alone (its words and bigrams, no context: SWAG's "ending only" artefact test)."""
    train, dev = list(train), list(dev)
    gold = [e.label for e in dev]
    out = {"majority position": accuracy(gold, [_majority([e.label for e in train])] * len(dev))}
    out["word overlap with the context"] = accuracy(
        gold, [max(range(len(e.endings)), key=lambda i: _overlap(e, e.endings[i])) for e in dev])
    # Ending alone: right endings (label 1) against wrong ones (label 0), then the most "right" of each item.
    bags = [bag(ending) for e in train for ending in e.endings]
    model = fit_linear(bags, [int(i == e.label) for e in train for i in range(len(e.endings))], 2)
    out["ending only (uni+bigrams)"] = accuracy(
        gold, [int(model([bag(x) for x in e.endings])[:, 1].argmax()) for e in dev])
    return out


# --- summaries and translation
def summarization(train: Iterable[SummaryExample], dev: Iterable[SummaryExample],
                  metric: str = "rouge2") -> dict[str, float]:
    """ROUGE ``metric`` ("rouge1", "rouge2", "rougeL"; 0-1) of lead-2, the first two sentences."""
    dev = list(dev)
    lead = [" ".join((e.sentences or sentences(e.document))[:2]) for e in dev]
    return {"lead-2": rouge(lead, [e.summary for e in dev])[metric]}


def translation_lexicon(train: Iterable[ParallelExample], min_dice: float = 0.2) -> dict[str, str]:
    """Each English word's French word: the one it co-occurs with most, by the Dice coefficient
    2·c(e, f) / (c(e) + c(f)) over sentence pairs. A word with no French word above ``min_dice``
    ("do" in "do not") maps to "" (it is dropped)."""
    count_en, count_fr, both = Counter(), Counter(), Counter()
    for e in train:
        en, fr = set(e.source.split()), set(e.target.split())
        count_en.update(en)
        count_fr.update(fr)
        both.update((a, b) for a in en for b in fr)
    best: dict[str, tuple[float, str]] = {}
    for (a, b), n in both.items():
        dice = 2 * n / (count_en[a] + count_fr[b])
        if dice >= min_dice and (dice, b) > best.get(a, (0.0, "")):
            best[a] = (dice, b)
    return {a: best[a][1] if a in best else "" for a in count_en}


def translation(train: Iterable[ParallelExample], dev: Iterable[ParallelExample]) -> dict[str, float]:
    """BLEU (0-100) of word-by-word translation with a lexicon aligned on the training pairs; words the
    lexicon lacks are copied (names)."""
    lexicon, dev = translation_lexicon(train), list(dev)
    predicted = [" ".join(filter(None, (lexicon.get(w, w) for w in e.source.split()))) for e in dev]
    return {"word by word (Dice lexicon)": bleu(predicted, [e.target for e in dev])}
