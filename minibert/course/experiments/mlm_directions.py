"""Lesson 07: does reading both sides fill a blank better than reading only the left? Seeds and steps.

Two models of the same size train on the same masked sentences of the course corpus for the same steps; the
only difference is the attention mask (every token sees every token, or a causal mask: only itself and the
tokens to its left). At every checkpoint, each model fills every blank of the held-out sentences
(``course_corpus("dev")``, one ``[MASK]`` at a time) and the blanks are scored in groups:

* by where they sit: among the first two words (``start``), the ``middle``, the last two words (``end``);
* by which neighbour gives the answer away, according to the counting baselines of
  ``minibert.course.baselines_lm`` fitted on the same training sentences: ``right gives it`` (the
  right-neighbour bigram is right and the left-neighbour bigram wrong) and ``left gives it`` (the reverse).

The counting baselines are scored on the same blanks. The settings are the lesson's smoke profile; the lesson
re-runs the first steps of seed 0 live and checks them against this file.
"""
from __future__ import annotations

import random
from typing import Any

import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from minibert.attention import padding_mask
from minibert.config import BertConfig
from minibert.course.baselines_lm import MLM_BASELINES, BlankGuessers
from minibert.course.corpus import course_corpus, course_vocab_dir
from minibert.heads import BertForMaskedLM
from minibert.pretraining_data import IGNORE_INDEX, MaskingVocab, PretrainingCollator, create_masked_lm_predictions
from minibert.tokenizer import BertTokenizer

NAME = "mlm_directions"
GROUPS = ("start", "middle", "end", "right gives it", "left gives it")
SETTINGS = dict(train_documents=1500, dev_documents=100, hidden_size=64, intermediate_size=128,
                num_hidden_layers=2, num_attention_heads=2, batch_size=64, lr=3e-3, warmup=50)
LIVE_STEPS = 200  # the lesson re-runs this many steps of seed 0 (same schedule) and compares


def small_config(vocab_size: int, settings: dict[str, Any] = SETTINGS) -> BertConfig:
    sizes = {k: settings[k] for k in ("hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads")}
    return BertConfig.from_preset("tiny", vocab_size=vocab_size, max_position_embeddings=64, hidden_dropout_prob=0.0,
                                  attention_probs_dropout_prob=0.0, **sizes)


def attention_bias(attention_mask: torch.Tensor, left_only: bool, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """The additive attention mask: padding only, or padding and the future (a causal mask)."""
    bias = padding_mask(attention_mask, dtype)                          # (B, 1, 1, T)
    if left_only:
        T = attention_mask.size(1)
        future = torch.ones(T, T, dtype=torch.bool).triu(diagonal=1)   # (T, T): True above the diagonal
        bias = bias.masked_fill(future, torch.finfo(dtype).min)        # (B, 1, T, T)
    return bias


def mlm_forward(model: BertForMaskedLM, batch: dict[str, torch.Tensor], left_only: bool,
                positions: torch.Tensor | None = None) -> torch.Tensor:
    """Logits of a BertForMaskedLM with a bidirectional or a left-only attention mask (at ``positions`` only)."""
    x = model.bert.embeddings(batch["input_ids"], batch["token_type_ids"])            # (B, T, H)
    h = model.bert.encoder(x, attention_bias(batch["attention_mask"], left_only)).last_hidden_state
    return model.mlm_logits(h if positions is None else h[positions])               # (B, T, V) or (n, V)


def masked_batches(train_ids: list[list[int]], vocab: MaskingVocab, rng: random.Random, batch_size: int):
    """Endless batches of training sentences, each masked with the 15% / 80-10-10 rule."""
    collate = PretrainingCollator(0)
    while True:
        examples = []
        for _ in range(batch_size):
            shown, labels = create_masked_lm_predictions(train_ids[rng.randrange(len(train_ids))], vocab, rng)
            examples.append({"input_ids": shown, "token_type_ids": [0] * len(shown), "labels": labels,
                             "next_sentence_label": 0})
        yield collate(examples)


def blank_groups(dev_ids: list[list[int]], guessers: BlankGuessers) -> list[list[tuple[int, set[str]]]]:
    """For every held-out sentence, each blank position and the groups it belongs to."""
    groups = []
    for ids in dev_ids:
        T, row = len(ids), []
        for p in range(1, T - 1):
            where = {"start" if p <= 2 else "end" if p >= T - 3 else "middle"}
            left_right = guessers.guess("bigram (left)", ids[p - 1], ids[p + 1]) == ids[p]
            right_right = guessers.guess("bigram (right)", ids[p - 1], ids[p + 1]) == ids[p]
            if right_right and not left_right:
                where.add("right gives it")
            if left_right and not right_right:
                where.add("left gives it")
            row.append((p, where))
        groups.append(row)
    return groups


def group_accuracy(hits: list[list[bool]], groups: list[list[tuple[int, set[str]]]]) -> dict[str, float]:
    """Accuracy per group (the groups that have blanks), from one hit (right or wrong) per blank."""
    right, total = dict.fromkeys(GROUPS, 0), dict.fromkeys(GROUPS, 0)
    for row_hits, row in zip(hits, groups):
        for hit, (_, where) in zip(row_hits, row):
            for group in where:
                right[group] += hit
                total[group] += 1
    return {group: right[group] / total[group] for group in GROUPS if total[group]}


def blank_accuracy(model: BertForMaskedLM, left_only: bool, dev_ids: list[list[int]], mask_token_id: int,
                   groups: list[list[tuple[int, set[str]]]]) -> dict[str, float]:
    """Every blank of every held-out sentence, one at a time: the share filled right, per group."""
    hits = []
    with torch.no_grad():
        for ids in dev_ids:
            positions = torch.arange(1, len(ids) - 1)                # every token but [CLS] and [SEP]
            inputs = torch.tensor([ids] * len(positions))            # one copy per blank: (n, T)
            inputs[torch.arange(len(positions)), positions] = mask_token_id
            batch = {"input_ids": inputs, "token_type_ids": torch.zeros_like(inputs),
                     "attention_mask": torch.ones_like(inputs)}
            guess = mlm_forward(model, batch, left_only)[torch.arange(len(positions)), positions].argmax(-1)
            hits.append((guess == torch.tensor(ids[1:-1])).tolist())
    return group_accuracy(hits, groups)


def baseline_accuracy(guessers: BlankGuessers, dev_ids: list[list[int]],
                      groups: list[list[tuple[int, set[str]]]]) -> dict[str, dict[str, float]]:
    return {name: group_accuracy([[guessers.guess(name, ids[p - 1], ids[p + 1]) == ids[p] for p, _ in row]
                                  for ids, row in zip(dev_ids, groups)], groups) for name in MLM_BASELINES}


def train_mlm(config: BertConfig, train_ids: list[list[int]], vocab: MaskingVocab, left_only: bool, steps: int,
              seed: int = 0, settings: dict[str, Any] = SETTINGS, stop_after: int | None = None,
              on_checkpoint=None, checkpoints: tuple[int, ...] = ()) -> tuple[BertForMaskedLM, list[float]]:
    """AdamW, linear warmup and decay over ``steps``, the loss at the chosen positions only.

    ``stop_after``: stop after this many steps (the first steps of the same schedule);
    ``on_checkpoint(step, model)`` is called after each step in ``checkpoints``.
    """
    torch.manual_seed(seed)
    model = BertForMaskedLM(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings["lr"], weight_decay=0.01)
    warmup = settings["warmup"]
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / warmup) * (1 - s / steps))
    batches, losses = masked_batches(train_ids, vocab, random.Random(seed), settings["batch_size"]), []
    for step in range(1, (stop_after or steps) + 1):
        batch = next(batches)
        chosen = batch["labels"] != IGNORE_INDEX
        loss = F.cross_entropy(mlm_forward(model, batch, left_only, chosen), batch["labels"][chosen])
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
    """The tokenizer, masking vocabulary, training and held-out sentences (as ids) of the lesson."""
    tokenizer = BertTokenizer.from_pretrained(course_vocab_dir())
    train = [tokenizer(s)["input_ids"] for doc in course_corpus("train")[: settings["train_documents"]] for s in doc]
    dev = [tokenizer(s)["input_ids"] for doc in course_corpus("dev")[: settings["dev_documents"]] for s in doc]
    return tokenizer, MaskingVocab.from_tokenizer(tokenizer), train, dev


def run(seeds: int = 3, steps: int = 2000, every: int = 250) -> dict[str, Any]:
    torch.set_num_threads(1)
    tokenizer, vocab, train_ids, dev_ids = data()
    guessers = BlankGuessers.fit(train_ids, tokenizer.all_special_ids)
    groups = blank_groups(dev_ids, guessers)
    config = small_config(len(tokenizer))
    runs = []
    jobs = [(seed, left_only) for seed in range(seeds) for left_only in (False, True)]
    for seed, left_only in tqdm(jobs, desc=NAME, unit="run"):
        curve: list[dict[str, Any]] = []

        def evaluate(step: int, model: BertForMaskedLM) -> None:
            curve.append({"step": step, **blank_accuracy(model, left_only, dev_ids, tokenizer.mask_token_id, groups)})

        checkpoints = tuple(sorted({*range(every, steps + 1, every), LIVE_STEPS}))
        _, losses = train_mlm(config, train_ids, vocab, left_only, steps, seed, on_checkpoint=evaluate,
                              checkpoints=checkpoints)
        runs.append({"seed": seed, "model": "left only" if left_only else "bidirectional", "curve": curve,
                     "first_losses": [round(x, 5) for x in losses[:LIVE_STEPS]],
                     "loss_start": sum(losses[:50]) / 50, "loss_end": sum(losses[-50:]) / 50})
    return {"settings": {**SETTINGS, "seeds": seeds, "steps": steps, "every": every, "live_steps": LIVE_STEPS},
            "parameters": BertForMaskedLM(config).num_parameters(),
            "blanks": {group: sum(group in where for row in groups for _, where in row) for group in GROUPS},
            "baselines": baseline_accuracy(guessers, dev_ids, groups), "runs": runs}
