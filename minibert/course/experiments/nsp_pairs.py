"""Lesson 08: tiny BERTs trained with next sentence prediction alone, on correct or on buggy pairs, over seeds.

The pairs are cut from the first documents of the course corpus as in the lesson: correctly (the NotNext B
comes from another document) or with the classic bug (the "random" B comes from the same document). Each
model is tested, at checkpoints, on correctly built pairs of the held-out documents (``course_corpus("dev")``),
next to the majority label and the content-word overlap rule (``minibert.course.baselines_lm``) fitted on the
same training pairs. The settings are the lesson's smoke profile; the lesson re-runs the first steps of seed 0
live and checks them against this file.
"""
from __future__ import annotations

import random
from typing import Any, Sequence

import torch
from tqdm.auto import tqdm

from minibert.config import BertConfig
from minibert.course.baselines_lm import frequent_tokens, nsp_baseline_accuracy
from minibert.course.corpus import course_corpus, course_vocab_dir
from minibert.heads import BertForNextSentencePrediction
from minibert.pretraining_data import PretrainingCollator, SegmentPair, create_instances_from_document, tokenize_documents
from minibert.tokenizer import BertTokenizer

NAME = "nsp_pairs"
SETTINGS = dict(train_documents=2000, max_seq_length=64, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                num_attention_heads=2, batch_size=32, lr=2e-3, warmup=50)
LIVE_STEPS = 100  # the lesson re-runs this many steps of seed 0 (same schedule) and compares


def make_pairs(docs: Sequence[list[list[int]]], buggy: bool, seed: int, max_seq_length: int = 64) -> list[SegmentPair]:
    """The pairs of every document; ``buggy``: the "random other document" is the same document."""
    rng, pairs = random.Random(seed), []
    for index, document in enumerate(docs):
        if buggy:
            pairs += create_instances_from_document([document, document], 0, max_seq_length, 0.1, rng)
        else:
            pairs += create_instances_from_document(docs, index, max_seq_length, 0.1, rng)
    random.Random(seed).shuffle(pairs)
    return pairs


def small_config(vocab_size: int, settings: dict[str, Any] = SETTINGS) -> BertConfig:
    sizes = {k: settings[k] for k in ("hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads")}
    return BertConfig.from_preset("tiny", vocab_size=vocab_size, max_position_embeddings=64, hidden_dropout_prob=0.0,
                                  attention_probs_dropout_prob=0.0, **sizes)


def nsp_batch(pairs: Sequence[SegmentPair], cls_token_id: int, sep_token_id: int, pad_token_id: int = 0):
    examples = [{"input_ids": p.input_ids(cls_token_id, sep_token_id), "token_type_ids": p.token_type_ids(),
                 "labels": [], "next_sentence_label": p.next_sentence_label} for p in pairs]
    batch = PretrainingCollator(pad_token_id)(examples)   # pads; the (empty) MLM labels are not used here
    return {"input_ids": batch["input_ids"], "token_type_ids": batch["token_type_ids"],
            "attention_mask": batch["attention_mask"], "labels": batch["next_sentence_label"]}


def nsp_accuracy(model: BertForNextSentencePrediction, pairs: Sequence[SegmentPair], tokenizer: Any) -> float:
    with torch.no_grad():
        hits = [model(**(b := nsp_batch(pairs[i:i + 256], tokenizer.cls_token_id, tokenizer.sep_token_id,
                                        tokenizer.pad_token_id))).logits.argmax(-1) == b["labels"]
                for i in range(0, len(pairs), 256)]
    return torch.cat(hits).float().mean().item()


def train_nsp(config: BertConfig, pairs: Sequence[SegmentPair], tokenizer: Any, steps: int, seed: int = 0,
              settings: dict[str, Any] = SETTINGS, stop_after: int | None = None, on_checkpoint=None,
              checkpoints: tuple[int, ...] = ()) -> tuple[BertForNextSentencePrediction, list[float]]:
    """AdamW, linear warmup and decay over ``steps``; ``stop_after`` steps of that schedule at most."""
    torch.manual_seed(seed)
    model = BertForNextSentencePrediction(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings["lr"], weight_decay=0.01)
    warmup = settings["warmup"]
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / warmup) * (1 - s / steps))
    rng, losses = random.Random(seed), []
    for step in range(1, (stop_after or steps) + 1):
        batch = nsp_batch(rng.sample(pairs, settings["batch_size"]), tokenizer.cls_token_id, tokenizer.sep_token_id,
                          tokenizer.pad_token_id)
        loss = model(**batch).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        if on_checkpoint is not None and step in checkpoints:
            model.eval()
            on_checkpoint(step, model)
            model.train()
    return model.eval(), losses


def data(settings: dict[str, Any] = SETTINGS):
    """The tokenizer, the correct and buggy training pairs and the correct held-out pairs of the lesson."""
    tokenizer = BertTokenizer.from_pretrained(course_vocab_dir())
    docs = tokenize_documents(course_corpus("train")[: settings["train_documents"]], tokenizer)
    dev_docs = tokenize_documents(course_corpus("dev"), tokenizer)
    length = settings["max_seq_length"]
    pairs = {"correct": make_pairs(docs, False, 1, length), "buggy": make_pairs(docs, True, 1, length)}
    return tokenizer, docs, pairs, make_pairs(dev_docs, False, 2, length)


def run(seeds: int = 3, steps: int = 1500, every: int = 250) -> dict[str, Any]:
    torch.set_num_threads(1)
    tokenizer, docs, pairs, test_pairs = data()
    frequent = frequent_tokens(s for d in docs for s in d)
    config = small_config(len(tokenizer))
    runs = []
    for data_name, seed in tqdm([(d, s) for d in pairs for s in range(seeds)], desc=NAME, unit="run"):
        curve: list[dict[str, float]] = []

        def evaluate(step: int, model: BertForNextSentencePrediction) -> None:
            curve.append({"step": step, "accuracy": nsp_accuracy(model, test_pairs, tokenizer)})

        checkpoints = tuple(sorted({*range(every, steps + 1, every), LIVE_STEPS}))
        _, losses = train_nsp(config, pairs[data_name], tokenizer, steps, seed, on_checkpoint=evaluate,
                              checkpoints=checkpoints)
        runs.append({"trained on": data_name, "seed": seed, "curve": curve,
                     "first_losses": [round(x, 5) for x in losses[:LIVE_STEPS]],
                     "loss_start": sum(losses[:50]) / 50, "loss_end": sum(losses[-50:]) / 50})
    return {"settings": {**SETTINGS, "seeds": seeds, "steps": steps, "every": every, "live_steps": LIVE_STEPS},
            "test_pairs": len(test_pairs),
            "baselines": {name: nsp_baseline_accuracy(pairs[name], test_pairs, frequent) for name in pairs},
            "runs": runs}
