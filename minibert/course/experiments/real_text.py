"""Lesson 09: a brief pre-training on real prose (the Python documentation) next to the course corpus.

Two corpora, the same recipe (the tiny preset, MLM + NSP, the ``Trainer`` of lesson 09), three seeds each:

* ``course``: the course corpus (``course_corpus("train")``, held out: ``course_corpus("dev")``) with the
  course's WordPiece vocabulary;
* ``python docs``: ``minibert.corpus.stdlib_corpus()``, the prose of the standard library's documentation,
  split by document (a document is held out when the CRC-32 of its first sentence is a multiple of 10), with a
  WordPiece vocabulary trained on the training documents only (``minibert.wordpiece.train_wordpiece``).

Every run is scored on held-out pairs with fixed masks at regular steps (``make_eval_fn``), next to the counting
baselines of ``minibert.course.baselines_lm`` fitted on the training text and scored on the same masked
positions (MLM), and the majority label and the overlap rule (NSP). Seed 0 of each corpus also fills a blank in
held-out sentences. ``lesson_run`` is the lesson's own live run (course corpus, seed 0), stored so that the
lesson can check that its run gives these numbers. The text of ``stdlib_corpus`` depends on the Python version:
the file records it.
"""
from __future__ import annotations

import platform
import tempfile
import zlib
from pathlib import Path
from typing import Any, Sequence

import torch
from tqdm.auto import tqdm

from minibert.corpus import Document, stdlib_corpus
from minibert.course.baselines_lm import BlankGuessers, frequent_tokens, mlm_baseline_accuracy, nsp_baseline_accuracy
from minibert.course.corpus import course_corpus, course_vocab_dir
from minibert.pretrain import EVAL_EXAMPLES, build_model, make_eval_fn, pretraining_metrics
from minibert.pretraining_data import PretrainingCollator, build_pretraining_dataset
from minibert.tasks.pipelines import pipeline
from minibert.tokenizer import BertTokenizer
from minibert.trainer import Trainer, TrainingArguments, read_metrics, set_seed
from minibert.wordpiece import train_wordpiece, write_vocab

NAME = "real_text"
RECIPE = dict(max_seq_length=128, max_predictions_per_seq=20, seed=0)       # lesson 09's examples
SETTINGS = dict(preset="tiny", steps=300, batch_size=32, lr=3e-3, warmup_ratio=0.1, eval_steps=50, vocab_size=8000)
LESSON_RUN = dict(steps=60, batch_size=16, lr=1e-3, warmup_ratio=0.1, eval_steps=30)  # lesson 09's live run
HELD_OUT_EVERY = 10
N_BLANKS = 8  # held-out sentences asked to fill a blank


def split_documents(documents: Sequence[Document], every: int = HELD_OUT_EVERY) -> tuple[list[Document], list[Document]]:
    """(training, held-out) documents: held out when the CRC-32 of the first sentence is a multiple of ``every``
    (a rule that does not move when documents are added or removed elsewhere)."""
    train, held_out = [], []
    for document in documents:
        (held_out if zlib.crc32(document[0].encode("utf-8")) % every == 0 else train).append(document)
    return train, held_out


def python_docs_tokenizer(train: Sequence[Document], directory: Path, vocab_size: int) -> BertTokenizer:
    vocab = write_vocab(train_wordpiece((s for d in train for s in d), vocab_size), directory / "vocab.txt")
    tokenizer = BertTokenizer(vocab, do_lower_case=True)
    tokenizer.save_pretrained(directory)
    return tokenizer


def blank_sentences(held_out: Sequence[Document], tokenizer: BertTokenizer, frequent: frozenset[int],
                    n: int = N_BLANKS) -> list[tuple[str, str]]:
    """(sentence with one [MASK], the word it hides): the first held-out sentences of 6 to 14 words whose
    longest word is one token of the vocabulary and not a frequent one."""
    found = []
    for document in held_out:
        for sentence in document:
            words = sentence.split()
            if not 6 <= len(words) <= 14:
                continue
            candidates = [w for w in words if w.isalpha() and len(w) >= 4]
            for word in sorted(candidates, key=len, reverse=True)[:1]:
                if words.count(word) != 1:
                    continue
                ids = tokenizer.convert_tokens_to_ids(tokenizer.tokenize(word))
                if len(ids) == 1 and ids[0] not in frequent and ids[0] != tokenizer.unk_token_id:
                    found.append((" ".join(tokenizer.mask_token if w == word else w for w in words), word.lower()))
            if len(found) == n:
                return found
    return found


def pretrain_once(tokenizer: BertTokenizer, train_set, dev_set, out: Path, seed: int, steps: int, batch_size: int,
                  lr: float, warmup_ratio: float, eval_steps: int):
    """One run of lesson 09's loop; returns the model and its evaluation records."""
    collate = PretrainingCollator(tokenizer.pad_token_id)
    args = TrainingArguments(output_dir=out, max_steps=steps, per_device_train_batch_size=batch_size,
                             learning_rate=lr, warmup_ratio=warmup_ratio, eval_steps=eval_steps, seed=seed,
                             disable_tqdm=True)
    set_seed(seed)
    model = build_model(tokenizer, SETTINGS["preset"], max_seq_length=RECIPE["max_seq_length"])
    train_set.set_epoch(0)
    trainer = Trainer(model, args, train_set, collate_fn=collate, metrics_fn=pretraining_metrics,
                      eval_fn=make_eval_fn(dev_set, collate, batch_size=64), forward_kwargs={"sparse_mlm": True})
    trainer.train()
    evals = [{k: r[k] for k in ("step", "eval_mlm_accuracy", "eval_nsp_accuracy", "eval_loss")}
             for r in read_metrics(out) if "eval_mlm_accuracy" in r]
    return model.eval(), evals


def corpus_data(name: str, workdir: Path):
    if name == "course":
        train, held_out, tokenizer = course_corpus("train"), course_corpus("dev"), BertTokenizer.from_pretrained(course_vocab_dir())
    else:
        train, held_out = split_documents(stdlib_corpus())
        tokenizer = python_docs_tokenizer(train, workdir / "python-docs-vocab", SETTINGS["vocab_size"])
    train_set = build_pretraining_dataset(train, tokenizer, dynamic_masking=True, **RECIPE)
    dev_set = build_pretraining_dataset(held_out, tokenizer, dynamic_masking=False, **RECIPE)
    return train, held_out, tokenizer, train_set, dev_set


def baselines(tokenizer: BertTokenizer, train_set, dev_set) -> tuple[dict[str, Any], frozenset[int]]:
    originals = [p.input_ids(tokenizer.cls_token_id, tokenizer.sep_token_id) for p in train_set.pairs]
    guessers = BlankGuessers.fit(originals, tokenizer.all_special_ids)
    scored = [dev_set[i] for i in range(min(len(dev_set), EVAL_EXAMPLES))]  # what make_eval_fn scores
    frequent = frequent_tokens(originals)
    return {"mlm": mlm_baseline_accuracy(guessers, [(e["input_ids"], e["labels"]) for e in scored], batch_size=64),
            "nsp": nsp_baseline_accuracy(train_set.pairs, dev_set.pairs[:len(scored)], frequent),
            "guessers": guessers}, frequent


def run(seeds: int = 3) -> dict[str, Any]:
    torch.set_num_threads(1)
    result: dict[str, Any] = {"settings": {**SETTINGS, **RECIPE, "seeds": seeds, "held_out_every": HELD_OUT_EVERY},
                              "lesson_run_settings": LESSON_RUN, "python": platform.python_version(), "corpora": {}}
    with tempfile.TemporaryDirectory(prefix="minibert-real-text-") as tmp:
        workdir = Path(tmp)
        for name in tqdm(("course", "python docs"), desc=NAME, unit="corpus"):
            train, held_out, tokenizer, train_set, dev_set = corpus_data(name, workdir)
            base, frequent = baselines(tokenizer, train_set, dev_set)
            guessers = base.pop("guessers")
            entry: dict[str, Any] = {
                "documents": [len(train), len(held_out)], "sentences": [sum(map(len, train)), sum(map(len, held_out))],
                "words": [sum(len(s.split()) for d in docs for s in d) for docs in (train, held_out)],
                "vocabulary": len(tokenizer), "pairs": [len(train_set), len(dev_set)], "baselines": base, "runs": []}
            for seed in range(seeds):
                model, evals = pretrain_once(tokenizer, train_set, dev_set, workdir / f"{name}-{seed}", seed,
                                             SETTINGS["steps"], SETTINGS["batch_size"], SETTINGS["lr"],
                                             SETTINGS["warmup_ratio"], SETTINGS["eval_steps"])
                entry["runs"].append({"seed": seed, "evals": evals})
                if seed == 0:
                    fill = pipeline("fill-mask", model=model, tokenizer=tokenizer)
                    entry["blanks"] = []
                    for text, answer in blank_sentences(held_out, tokenizer, frequent):
                        ids = tokenizer(text)["input_ids"]
                        p = ids.index(tokenizer.mask_token_id)
                        count_guess = tokenizer.convert_ids_to_tokens(guessers.guess("both neighbours", ids[p - 1], ids[p + 1]))
                        entry["blanks"].append({"text": text, "answer": answer, "both neighbours": count_guess,
                                                "guesses": [[g["token_str"], round(g["score"], 4)] for g in fill(text)]})
            if name == "course":
                _, evals = pretrain_once(tokenizer, train_set, dev_set, workdir / "lesson-run", 0, **LESSON_RUN)
                result["lesson_run"] = evals
            result["corpora"][name] = entry
    return result
