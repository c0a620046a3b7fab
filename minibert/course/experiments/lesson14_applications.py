"""Lesson 14: multiple choice, extractive summaries and translation, each beside its baseline, three seeds.

Each seed runs lesson 14's smoke recipe of the three applications (the Trainer: AdamW, 10 % warm-up, linear
decay; fp32) and scores it on the task's whole dev split (held out: a part of the world that training never
names):

* **multiple choice**: MiniLM + ``BertForMultipleChoice``; dev accuracy, the same model scored with the
  context removed (only the sentence start and the endings), and the probabilities of the first dev item;
* **summarization**: the course model (``data/models/course-tiny``) + the BertSum head; dev ROUGE F-measures;
* **translation**: MiniLM as the encoder of ``BertEncoderDecoder`` (2 new decoder layers); dev BLEU (greedy),
  how many of the first dev sentences greedy and beam search (4) translate alike, the first translations.

Baselines (``minibert.course.baselines``, fitted on train, scored on the same dev split): majority position,
word overlap and ending-only logistic regression; lead-2; word-by-word with a Dice lexicon. Every run also
stores its per-step training losses, so that the lesson can re-run the first steps of seed 0 live and
compare. Each application and seed runs in its own process, on one thread.
"""
from __future__ import annotations

import logging
import math
import os
import tempfile
import warnings
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import torch
from tqdm.auto import tqdm

from minibert.course import baselines
from minibert.course.models import course_model_dir
from minibert.course.paths import data_dir
from minibert.heads import BertForMultipleChoice
from minibert.tasks import multiple_choice as mc
from minibert.tasks import summarization as summ
from minibert.tasks import translation as tr
from minibert.tokenizer import BertTokenizer
from minibert.trainer import Trainer, TrainingArguments, read_metrics

NAME = "lesson14_applications"
SEEDS = [0, 1, 2]
SETTINGS = {
    "multiple_choice": dict(model="minilm", steps=30, lr=3e-4, batch_size=16, max_length=64),
    "summarization": dict(model="course-tiny", steps=60, lr=1e-3, batch_size=16, max_length=256),
    "translation": dict(model="minilm", steps=100, lr=1e-4, batch_size=32, max_length=32, compare_beams=20,
                        shown=5),
}


def tasks_dir():
    return data_dir() / "tasks"


def warmup_steps(steps: int) -> int:
    """The warm-up of a run of ``steps``: 10 % of it, rounded up (the Trainer's ``warmup_ratio=0.1``)."""
    return math.ceil(0.1 * steps)


def train(model: torch.nn.Module, features, collate_fn, steps: int, lr: float, batch_size: int, seed: int,
          param_groups=None, stop_after: int | None = None) -> list[dict[str, float]]:
    """Lesson 14's recipe: the Trainer, AdamW with 10 % warm-up then linear decay; the per-step log.

    ``stop_after=K`` runs only the first K steps of that run: the same as the whole run's first K as long
    as their updates all fall in the warm-up, whose learning rates do not depend on the run's length."""
    if stop_after is not None and stop_after > warmup_steps(steps) + 1:
        raise ValueError(f"only the first {warmup_steps(steps) + 1} steps of a {steps}-step run are warm-up")
    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(output_dir=out, max_steps=stop_after or steps, learning_rate=lr,
                                 per_device_train_batch_size=batch_size, warmup_steps=warmup_steps(steps), seed=seed,
                                 disable_tqdm=True)
        Trainer(model, args, features, collate_fn=collate_fn, param_groups=param_groups).train()
        return read_metrics(out)


def pretrained(model_class, model: str = "minilm", **kwargs):
    """A pre-trained encoder with a new head (the warning that lists the new weights is silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model_class.from_pretrained(model, **kwargs)


def multiple_choice_model(seed: int) -> BertForMultipleChoice:
    torch.manual_seed(seed)
    return pretrained(BertForMultipleChoice)


def translation_model(seed: int, train_features, tokenizer) -> tr.BertEncoderDecoder:
    torch.manual_seed(seed)
    return pretrained(tr.BertEncoderDecoder, target_vocab=tr.target_vocabulary(train_features, tokenizer))


def run_multiple_choice(seed: int) -> dict[str, Any]:
    s = SETTINGS["multiple_choice"]
    tok = BertTokenizer.from_pretrained("minilm")
    train_items = mc.load_swag(tasks_dir() / "multiple_choice" / "train.csv").examples
    dev_items = mc.load_swag(tasks_dir() / "multiple_choice" / "dev.csv").examples
    model = multiple_choice_model(seed)
    log = train(model, mc.choice_features(train_items, tok, s["max_length"]), mc.choice_collator(tok.pad_token_id),
                s["steps"], s["lr"], s["batch_size"], seed)
    model.eval()
    no_context = [mc.ChoiceExample("", e.start, e.endings, e.label) for e in dev_items]
    first = dev_items[0]
    return {
        "losses": [r["loss"] for r in log],
        "accuracy": mc.evaluate(model, dev_items, mc.choice_features(dev_items, tok, s["max_length"]))["accuracy"],
        "no_context_accuracy": mc.evaluate(model, no_context, mc.choice_features(no_context, tok, s["max_length"]))["accuracy"],
        "first_item_probabilities": mc.predict(model, tok, first.context, first.endings, start=first.start)["scores"],
    }


def run_summarization(seed: int) -> dict[str, Any]:
    s = SETTINGS["summarization"]
    course_tok = BertTokenizer.from_pretrained(course_model_dir())
    docs_train = summ.load_summaries(tasks_dir() / "summarization" / "train.jsonl").examples
    docs_dev = summ.load_summaries(tasks_dir() / "summarization" / "dev.jsonl").examples
    torch.manual_seed(seed)
    model = pretrained(summ.BertForExtractiveSummarization, course_model_dir())
    log = train(model, summ.summary_features(docs_train, course_tok, max_length=s["max_length"]),
                summ.summary_collator(course_tok.pad_token_id), s["steps"], s["lr"], s["batch_size"], seed)
    model.eval()
    scores = summ.evaluate(model, docs_dev, summ.summary_features(docs_dev, course_tok, max_length=s["max_length"],
                                                                   train=False), k=summ.typical_summary_length(docs_train))
    return {"losses": [r["loss"] for r in log], **{k: scores[k] for k in ("rouge1", "rouge2", "rougeL")}}


def run_translation(seed: int) -> dict[str, Any]:
    s = SETTINGS["translation"]
    tok = BertTokenizer.from_pretrained("minilm")
    pairs_train = tr.load_parallel(tasks_dir() / "translation" / "train.tsv").examples
    pairs_dev = tr.load_parallel(tasks_dir() / "translation" / "dev.tsv").examples
    train_features = tr.translation_features(pairs_train, tok, max_length=s["max_length"], max_target_length=s["max_length"])
    model = translation_model(seed, train_features, tok)
    log = train(model, train_features, tr.translation_collator(tok.pad_token_id), s["steps"], s["lr"], s["batch_size"],
                seed, param_groups=model.parameter_groups(s["lr"]))
    model.eval()
    dev_features = tr.translation_features(pairs_dev, tok, max_length=s["max_length"], train=False)
    scores = tr.evaluate(model, pairs_dev, dev_features, tokenizer=tok)
    compared = dev_features[:s["compare_beams"]]
    greedy = tr.translate_features(model, tok, compared, num_beams=1)
    beam = tr.translate_features(model, tok, compared, num_beams=4)
    return {"losses": [r["loss"] for r in log], "bleu": scores["bleu"], "bleu_original": scores["bleu_original"],
            "greedy_equals_beam": sum(g == b for g, b in zip(greedy, beam)), "first_translations": greedy[:s["shown"]]}


APPLICATIONS = {"multiple_choice": run_multiple_choice, "summarization": run_summarization,
                "translation": run_translation}


def run_one(job: tuple[str, int]) -> dict[str, Any]:
    """One application and one seed, on one thread, in fp32."""
    torch.set_num_threads(1)
    logging.getLogger("sacrebleu").setLevel(logging.ERROR)
    application, seed = job
    return APPLICATIONS[application](seed)


def baseline_scores() -> dict[str, dict[str, float]]:
    """Each application's baselines on its dev split (minibert.course.baselines)."""
    t = tasks_dir()
    return {
        "multiple_choice": baselines.multiple_choice(mc.load_swag(t / "multiple_choice" / "train.csv").examples,
                                                     mc.load_swag(t / "multiple_choice" / "dev.csv").examples),
        "summarization": baselines.summarization(summ.load_summaries(t / "summarization" / "train.jsonl").examples,
                                                 summ.load_summaries(t / "summarization" / "dev.jsonl").examples),
        "translation": baselines.translation(tr.load_parallel(t / "translation" / "train.tsv").examples,
                                             tr.load_parallel(t / "translation" / "dev.tsv").examples),
    }


def run(seeds: list[int] = SEEDS, workers: int | None = None) -> dict[str, Any]:
    """Every (application, seed) in its own process; ``runs`` holds one entry per seed."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    jobs = [(application, seed) for seed in seeds for application in APPLICATIONS]
    with ProcessPoolExecutor(max_workers=workers or len(jobs)) as pool:
        results = list(tqdm(pool.map(run_one, jobs), total=len(jobs), desc="runs"))
    runs = [{"seed": seed, **{a: r for (a, s), r in zip(jobs, results) if s == seed}} for seed in seeds]
    return {"settings": {"seeds": list(seeds), **SETTINGS}, "baselines": baseline_scores(), "runs": runs}
