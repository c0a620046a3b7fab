"""Lesson 19: ALBERT's sentence-order prediction (SOP) against next sentence prediction (NSP).

From the same training documents of the course corpus: NSP pairs (``create_segment_pairs``, NotNext from
another document) and SOP pairs (``minibert.sentence_order``, two consecutive segments, swapped half the
time). Small BERTs are trained on one objective alone (a ``BertForNextSentencePrediction`` head, label 0 =
"IsNext" / "in order"), over seeds, and each is tested on held-out pairs of *both* kinds from the dev
documents: what each objective learns, and whether it carries over to the other. Next to them: the majority
label and lesson 08's content-word overlap rule, fitted on the training pairs of each kind.
"""
from __future__ import annotations

from typing import Any, Sequence

import torch
from tqdm.auto import tqdm

from minibert.course.baselines_lm import frequent_tokens, nsp_baseline_accuracy
from minibert.course.experiments import _lesson19 as common
from minibert.heads import BertForNextSentencePrediction
from minibert.pretraining_data import SegmentPair, create_segment_pairs
from minibert.sentence_order import create_sop_pairs

NAME = "lesson19_sop"
SETTINGS = dict(train_documents=2000, max_seq_length=64, batch_size=32, lr=2e-3, warmup=100, steps=1000, every=250)
OBJECTIVES = ("NSP", "SOP")
LIVE_STEPS = 20


def make_pairs(objective: str, split: str, n_documents: int | None, max_seq_length: int, seed: int
               ) -> list[SegmentPair]:
    docs = list(common.documents(split, n_documents))
    if objective == "NSP":
        return create_segment_pairs(docs, max_seq_length, seed=seed)
    return create_sop_pairs(docs, max_seq_length, seed=seed)


def pair_features(pairs: Sequence[SegmentPair]) -> list[dict]:
    tok = common.tokenizer()
    return [{"input_ids": p.input_ids(tok.cls_token_id, tok.sep_token_id), "token_type_ids": p.token_type_ids(),
             "labels": [], "next_sentence_label": p.next_sentence_label} for p in pairs]


class PairData:
    """Segment pairs as examples for ``common.train`` (no masks: the head sees the text as it is)."""

    def __init__(self, pairs: Sequence[SegmentPair]) -> None:
        self.features = pair_features(pairs)

    def __len__(self) -> int:
        return len(self.features)

    def __getitem__(self, index: int) -> dict:
        return self.features[index]

    def set_epoch(self, epoch: int) -> None:
        pass


def pair_loss(model: BertForNextSentencePrediction, batch: dict) -> torch.Tensor:
    return model(batch["input_ids"], token_type_ids=batch["token_type_ids"], attention_mask=batch["attention_mask"],
                 labels=batch["next_sentence_label"]).loss


def pair_accuracy(model: BertForNextSentencePrediction, pairs: Sequence[SegmentPair], batch_size: int = 200) -> float:
    features, hits = pair_features(pairs), 0
    with torch.no_grad():
        for start in range(0, len(features), batch_size):
            batch = common.collate(features[start:start + batch_size])
            logits = model(batch["input_ids"], token_type_ids=batch["token_type_ids"],
                           attention_mask=batch["attention_mask"]).logits
            hits += int((logits.argmax(-1) == batch["next_sentence_label"]).sum())
    return hits / len(features)


def train_objective(objective: str, seed: int, settings: dict[str, Any] = SETTINGS, stop_after: int | None = None,
                    on_checkpoint=None, checkpoints=()) -> tuple[BertForNextSentencePrediction, list[float]]:
    pairs = make_pairs(objective, "train", settings["train_documents"], settings["max_seq_length"], seed=1)
    torch.manual_seed(seed)
    model = BertForNextSentencePrediction(common.config(settings["max_seq_length"]))
    losses = common.train(model, PairData(pairs), pair_loss, settings["steps"], seed, settings["batch_size"],
                          settings["lr"], settings["warmup"], stop_after, on_checkpoint, checkpoints)
    return model.eval(), losses


def test_pairs(settings: dict[str, Any] = SETTINGS) -> dict[str, list[SegmentPair]]:
    return {kind: make_pairs(kind, "dev", None, settings["max_seq_length"], seed=2) for kind in OBJECTIVES}


def baselines(settings: dict[str, Any] = SETTINGS) -> dict[str, dict[str, float]]:
    """Majority label and the overlap rule, each fitted on the training pairs of a kind, on its test pairs."""
    docs = common.documents("train", settings["train_documents"])
    frequent = frequent_tokens(s for d in docs for s in d)
    tests = test_pairs(settings)
    return {kind: nsp_baseline_accuracy(make_pairs(kind, "train", settings["train_documents"],
                                                   settings["max_seq_length"], seed=1), tests[kind], frequent)
            for kind in OBJECTIVES}


def run(seeds: int = 3) -> dict[str, Any]:
    torch.set_num_threads(1)
    s, tests, runs = SETTINGS, test_pairs(), []
    for objective, seed in tqdm([(o, k) for k in range(seeds) for o in OBJECTIVES], desc=NAME, unit="run"):
        curve = []
        _, losses = train_objective(objective, seed, on_checkpoint=lambda step, m: curve.append(
            {"step": step, **{f"on {kind}": pair_accuracy(m, tests[kind]) for kind in OBJECTIVES}}),
            checkpoints=range(s["every"], s["steps"] + 1, s["every"]))
        runs.append({"trained on": objective, "seed": seed, "curve": curve,
                     "first_losses": [round(x, 5) for x in losses[:LIVE_STEPS]]})
    return {"settings": {**s, "seeds": seeds, "live_steps": LIVE_STEPS},
            "test_pairs": {kind: len(p) for kind, p in tests.items()}, "baselines": baselines(), "runs": runs}
