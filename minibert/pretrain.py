"""Pre-training BERT: masked language modeling + next sentence prediction (lesson 09).

    corpus (documents of sentences)
      -> pretraining_data: segment pairs ([CLS] A [SEP] B [SEP]), NSP labels, MLM masks
      -> BertForPreTraining: loss = CE(masked tokens) + CE(IsNext / NotNext)
      -> Trainer: AdamW, warm-up + linear decay, clipping, bf16, checkpoints, metrics.jsonl
      -> save_pretrained(out): a folder that minibert AND transformers load

The fast path computes the vocabulary projection only at the ~15% masked positions
(``sparse_mlm=True``): the same loss, a fraction of the biggest matrix product of a small BERT.

The run may be spread over several processes with ``torchrun --nproc_per_node N -m minibert pretrain
...`` (``minibert.distributed``): ``--batch-size`` is the global batch, whatever the number of processes.

Also here: the ``pretrain`` and ``fill-mask`` commands (fill-mask itself is a pipeline,
``minibert.tasks.pipelines``).
"""
from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any, Sequence

import torch

from . import distributed
from .config import BertConfig
from .corpus import read_documents, stdlib_corpus
from .costs import BERT_VOCAB_SIZE, dry_run, make_profiles
from .heads import BertForPreTraining
from .pretraining_data import IGNORE_INDEX, PretrainingCollator, PretrainingDataset, build_pretraining_dataset
from .shards import build_sharded_dataset, is_shard_dir
from .tasks.pipelines import pipeline
from .tokenizer import BertTokenizer
from .trainer import Batch, Trainer, TrainingArguments, TrainOutput, set_seed

# Built-in corpora, by name; anything else is a path or a glob of files in the standard format.
CORPORA = {"stdlib": stdlib_corpus}
EVAL_EXAMPLES = 512  # held-out examples scored at each evaluation (a few seconds for a small model)


# ----------------------------------------------------------------------------- building blocks


def load_documents(corpus: str | Path | Sequence[str | Path]) -> list[list[str]]:
    """``"stdlib"`` (the Python documentation's prose), a file, a glob (``"wiki/*.txt"``) or a list of
    files, in the standard format."""
    if isinstance(corpus, str) and corpus in CORPORA:
        return CORPORA[corpus]()
    return read_documents(corpus)


def make_dataset(corpus: str | Path | Sequence[str | Path], tokenizer: BertTokenizer,
                 **recipe: Any) -> PretrainingDataset:
    """MLM + NSP examples of a corpus (see :func:`load_documents`) or of a shard folder (``minibert prepare``).

    ``recipe``: the parameters of ``pretraining_data.build_pretraining_dataset`` (max_seq_length, ...).
    """
    if isinstance(corpus, (str, Path)) and is_shard_dir(corpus):
        return build_sharded_dataset(corpus, tokenizer, **recipe)
    return build_pretraining_dataset(load_documents(corpus), tokenizer, **recipe)


def per_device_batch_size(batch_size: int, gradient_accumulation_steps: int, world_size: int) -> int:
    """The global batch (sequences per optimizer step) split over processes and accumulation steps."""
    micro_batches = gradient_accumulation_steps * world_size
    if batch_size % micro_batches:
        raise ValueError(f"--batch-size {batch_size} does not split into {gradient_accumulation_steps} accumulation "
                         f"step(s) x {world_size} process(es); choose a multiple of {micro_batches}")
    return batch_size // micro_batches


def load_tokenizer(model: str | Path | None = None, vocab: str | Path | None = None) -> BertTokenizer:
    """The tokenizer of ``model`` (continued training) or of ``vocab`` (a fresh model)."""
    if model is not None and vocab is not None:
        raise ValueError("give --model (its own vocabulary) or --vocab, not both")
    if model is None and vocab is None:
        raise ValueError("a fresh model needs --vocab (a folder with vocab.txt, e.g. data/vocab/course-8k, "
                         "or minilm for bert-base-uncased's), or continue from --model")
    return BertTokenizer.from_pretrained(model or vocab)


def build_model(tokenizer: BertTokenizer, preset: str = "tiny", model: str | Path | None = None,
                max_seq_length: int = 128, dropout: float | None = None) -> BertForPreTraining:
    """A fresh ``BertForPreTraining`` of a preset size sized to the vocabulary, or one loaded from ``model``.

    ``dropout`` (if given) replaces both dropout probabilities (hidden and attention) of the config.
    """
    overrides = {} if dropout is None else dict(hidden_dropout_prob=dropout, attention_probs_dropout_prob=dropout)
    if model is not None:
        loaded = BertForPreTraining.from_pretrained(model, **overrides)
        if loaded.config.vocab_size < len(tokenizer):
            raise ValueError(f"the model in {model} has {loaded.config.vocab_size} embeddings for a vocabulary "
                             f"of {len(tokenizer)} tokens")
        return loaded
    config = BertConfig.from_preset(preset, vocab_size=len(tokenizer), pad_token_id=tokenizer.pad_token_id,
                                    max_position_embeddings=max(512, max_seq_length), **overrides)
    return BertForPreTraining(config)


def default_learning_rate(preset: str, model: str | Path | None) -> float:
    """1e-3 trains the small presets from scratch quickly; BERT's 1e-4 for big ones and continued training."""
    return 1e-3 if model is None and preset in ("tiny", "mini", "small") else 1e-4


def pretraining_metrics(outputs: Any, batch: Batch) -> dict[str, torch.Tensor]:
    """MLM accuracy (over the masked positions only), NSP accuracy, and the two losses."""
    labels = batch["labels"]
    masked = labels != IGNORE_INDEX  # (B, T)
    logits = outputs.masked_prediction_logits  # (n_masked, V) with sparse_mlm=True
    if logits is None:
        logits = outputs.prediction_logits[masked]  # (B, T, V) -> (n_masked, V)
    metrics = {"mlm_accuracy": (logits.argmax(-1) == labels[masked]).float().mean(),
               "nsp_accuracy": (outputs.seq_relationship_logits.argmax(-1) == batch["next_sentence_label"])
               .float().mean()}
    for name in ("masked_lm_loss", "next_sentence_loss"):
        if getattr(outputs, name, None) is not None:
            metrics[name] = getattr(outputs, name)
    return metrics


def make_eval_fn(dataset: PretrainingDataset, collate: PretrainingCollator, batch_size: int,
                 sparse_mlm: bool = True):
    """Average loss and accuracies over (at most ``EVAL_EXAMPLES``) held-out examples with fixed masks."""
    n = min(len(dataset), EVAL_EXAMPLES)
    batches = [collate([dataset[i] for i in range(start, min(start + batch_size, n))])
               for start in range(0, n, batch_size)]

    def eval_fn(model: torch.nn.Module) -> dict[str, float]:
        device = next(model.parameters()).device
        totals: dict[str, float] = {}
        for batch in batches:
            batch = {k: v.to(device) for k, v in batch.items()}
            outputs = model(**batch, sparse_mlm=sparse_mlm)
            for key, value in {"loss": outputs.loss, **pretraining_metrics(outputs, batch)}.items():
                totals[key] = totals.get(key, 0.0) + float(value) * len(batch["input_ids"]) / n
        return totals

    return eval_fn


# ----------------------------------------------------------------------------- the run


def pretrain(corpus: str | Path | Sequence[str | Path], out: str | Path, *, preset: str = "tiny",
             model: str | Path | None = None, vocab: str | Path | None = None, steps: int = 1000,
             batch_size: int = 32, gradient_accumulation_steps: int = 1, learning_rate: float | None = None, max_seq_length: int = 128,
             warmup_ratio: float = 0.1, dropout: float | None = None, seed: int = 0, dupe_factor: int = 1,
             dynamic_masking: bool = True, whole_word_mask: bool = False, short_seq_prob: float = 0.1,
             sparse_mlm: bool = True,
             eval_corpus: str | Path | Sequence[str | Path] | None = None, eval_steps: int = 0,
             save_steps: int = 200, keep_checkpoint: bool = True, resume: bool = False, device: str = "auto",
             bf16: bool | str = "auto", torch_compile: bool | str = False, show_progress: bool = True) -> TrainOutput:
    """Pre-train a BERT with MLM + NSP and write a ``from_pretrained`` folder (model + tokenizer) to ``out``.

    ``out`` also gets ``metrics.jsonl`` (one record per step: loss, MLM and NSP accuracy, learning
    rate, tokens/s; ``eval_*`` keys at evaluations) and ``checkpoint.pt`` (for ``resume=True``; removed at
    the end with ``keep_checkpoint=False``). The run is seeded: same arguments, same model (on CPU).
    ``batch_size`` is the global batch: under ``torchrun`` each process takes ``batch_size / (processes x
    gradient_accumulation_steps)`` sequences per forward pass, so the run means the same on any number of
    processes; rank 0 alone writes ``out``.
    ``torch_compile``: True, or a ``torch.compile`` mode such as ``"reduce-overhead"`` (CUDA graphs).
    """
    state = distributed.setup(device)
    per_device = per_device_batch_size(batch_size, gradient_accumulation_steps, state.world_size)
    show_progress = show_progress and state.is_main
    tokenizer = load_tokenizer(model, vocab)
    recipe = dict(max_seq_length=max_seq_length, short_seq_prob=short_seq_prob,
                  max_predictions_per_seq=math.ceil(0.15 * max_seq_length), whole_word_mask=whole_word_mask,
                  seed=seed, show_progress=show_progress)
    dataset = make_dataset(corpus, tokenizer, dupe_factor=dupe_factor, dynamic_masking=dynamic_masking, **recipe)
    collate = PretrainingCollator(tokenizer.pad_token_id, pad_to_multiple_of=8 if state.device.type == "cuda" else 1)
    eval_fn = None
    if eval_corpus is not None:
        eval_set = make_dataset(eval_corpus, tokenizer, dynamic_masking=False, **recipe)  # fixed masks: comparable
        eval_fn = make_eval_fn(eval_set, collate, per_device, sparse_mlm)
    set_seed(seed)  # the fresh model's initial weights
    bert = build_model(tokenizer, preset, model, max_seq_length, dropout)
    args = TrainingArguments(
        output_dir=out, max_steps=steps, per_device_train_batch_size=per_device,
        gradient_accumulation_steps=gradient_accumulation_steps,
        learning_rate=learning_rate or default_learning_rate(preset, model), warmup_ratio=warmup_ratio,
        seed=seed, device=device, bf16=bf16, torch_compile=bool(torch_compile),
        torch_compile_mode=torch_compile if isinstance(torch_compile, str) else None, save_steps=save_steps,
        eval_steps=eval_steps, disable_tqdm=not show_progress)
    trainer = Trainer(bert, args, dataset, collate_fn=collate, metrics_fn=pretraining_metrics, eval_fn=eval_fn,
                      forward_kwargs={"sparse_mlm": sparse_mlm})
    result = trainer.train(resume=resume)
    if state.is_main:
        bert.save_pretrained(out)
        tokenizer.save_pretrained(out)
        if not keep_checkpoint:
            trainer.checkpoint_path.unlink(missing_ok=True)
    distributed.barrier()  # every process returns once the model is written
    return result


# ----------------------------------------------------------------------------- command line


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``pretrain`` and ``fill-mask`` commands to the ``minibert`` command line."""
    p = subparsers.add_parser("pretrain", help="pre-train a BERT with MLM + NSP",
                              description="Pre-train BERT (masked LM + next sentence prediction) and write a "
                                          "from_pretrained folder with metrics.jsonl.")
    p.add_argument("--corpus",
                   help="a file or a glob of files (one sentence a line, a blank line between documents), a shard "
                        "folder made by `minibert prepare`, or 'stdlib' (the Python documentation's prose)")
    p.add_argument("--out", type=Path, help="output folder (required, except with --dry-run)")
    p.add_argument("--profile", choices=("smoke", "full", "base"),
                   help="a run's size (see minibert.costs): sets --preset, --batch-size, --steps and "
                        "--max-seq-length (base: its first phase, seq 128) unless they are given")
    p.add_argument("--dry-run", action="store_true",
                   help="print the profile's parameters, FLOPs per step, memory and expected time, and stop")
    p.add_argument("--preset", help="model size for a fresh model: tiny, mini, small, medium, base")
    p.add_argument("--model", help="continue from this model folder (uses its vocabulary)")
    p.add_argument("--vocab", help="tokenizer folder for a fresh model (e.g. data/vocab/course-8k, or minilm)")
    p.add_argument("--steps", type=int, help="optimizer steps (default 1000)")
    p.add_argument("--batch-size", type=int, help="sequences per optimizer step, over all processes (default 32)")
    p.add_argument("--gradient-accumulation-steps", type=int, default=1,
                   help="split each process's share of the batch into this many forward passes")
    p.add_argument("--lr", type=float, help="peak learning rate (default 1e-3 for tiny/mini/small, else 1e-4)")
    p.add_argument("--warmup-ratio", type=float, default=0.1)
    p.add_argument("--max-seq-length", type=int, help="default 128")
    p.add_argument("--dropout", type=float, help="hidden and attention dropout (default: the config's, 0.1)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dupe-factor", type=int, default=1, help="static masks: copies of the data, each masked anew")
    p.add_argument("--dynamic-masking", action=argparse.BooleanOptionalAction, default=True,
                   help="new masks every epoch (default); --no-dynamic-masking --dupe-factor 10 is Google's recipe")
    p.add_argument("--whole-word-mask", action="store_true", help="mask all the pieces of a word together")
    p.add_argument("--sparse-mlm", action=argparse.BooleanOptionalAction, default=True,
                   help="vocabulary projection only at masked positions (default; same loss, faster)")
    p.add_argument("--eval-corpus", help="held-out corpus scored at evaluations (same forms as --corpus)")
    p.add_argument("--eval-steps", type=int, default=0, help="evaluate every N steps (0: at the end only)")
    p.add_argument("--save-steps", type=int, default=200, help="checkpoint every N steps")
    p.add_argument("--keep-checkpoint", action=argparse.BooleanOptionalAction, default=True,
                   help="keep checkpoint.pt at the end (default) so that a later --resume can go on")
    p.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.pt")
    p.add_argument("--device", default="auto", help="auto (cuda, mps, cpu), cpu, cuda, ...")
    p.add_argument("--no-bf16", action="store_true", help="train in fp32 even where bf16 is fast")
    p.add_argument("--compile", nargs="?", const=True, default=False, metavar="MODE",
                   help="torch.compile the model; optionally a mode, e.g. reduce-overhead (CUDA graphs, GPU)")
    p.set_defaults(func=run_pretrain)

    f = subparsers.add_parser("fill-mask", help="print a model's guesses for [MASK]",
                              description="Print the top predictions (with probabilities) for each [MASK].")
    f.add_argument("text", nargs="+", help='sentences with [MASK], e.g. "the [MASK] sat on the mat."')
    f.add_argument("--model", required=True, help="a pre-trained model folder with an MLM head")
    f.add_argument("--top-k", type=int, default=5)
    f.set_defaults(func=run_fill_mask)


# What a run uses when neither the command line nor --profile says.
PRETRAIN_DEFAULTS = {"preset": "tiny", "steps": 1000, "batch_size": 32, "max_seq_length": 128}


def vocab_size(args: argparse.Namespace) -> int:
    """The vocabulary size of the run the command line describes (BERT's when no tokenizer is named)."""
    if args.model is None and args.vocab is None:
        return BERT_VOCAB_SIZE
    return len(load_tokenizer(args.model, args.vocab))


def apply_profile(args: argparse.Namespace) -> None:
    """Fill the size arguments left out: from --profile if given, else from PRETRAIN_DEFAULTS."""
    sizes = dict(PRETRAIN_DEFAULTS)
    if args.profile:
        profile = make_profiles(vocab_size(args))[args.profile]
        phase = profile.phases[0]
        sizes = {"preset": profile.preset, "steps": phase.steps, "batch_size": profile.global_batch_size,
                 "max_seq_length": phase.seq_length}
    for name, value in sizes.items():
        if getattr(args, name) is None:
            setattr(args, name, value)


def run_pretrain(args: argparse.Namespace) -> int:
    if args.dry_run:
        print(dry_run(args.profile or "smoke", distributed.requested_world_size(), device=args.device,
                      vocab_size=vocab_size(args)))
        return 0
    if args.out is None:
        raise ValueError("--out is required (the folder the model is written to)")
    if args.corpus is None:
        raise ValueError("--corpus is required (e.g. data/corpus/course.txt)")
    apply_profile(args)
    try:
        return _run_pretrain(args)
    finally:
        distributed.cleanup()


def _run_pretrain(args: argparse.Namespace) -> int:
    result = pretrain(
        args.corpus, args.out, preset=args.preset, model=args.model, vocab=args.vocab, steps=args.steps,
        batch_size=args.batch_size, gradient_accumulation_steps=args.gradient_accumulation_steps,
        learning_rate=args.lr, max_seq_length=args.max_seq_length,
        warmup_ratio=args.warmup_ratio, dropout=args.dropout, seed=args.seed, dupe_factor=args.dupe_factor,
        dynamic_masking=args.dynamic_masking, whole_word_mask=args.whole_word_mask, sparse_mlm=args.sparse_mlm,
        eval_corpus=args.eval_corpus, eval_steps=args.eval_steps, save_steps=args.save_steps,
        keep_checkpoint=args.keep_checkpoint, resume=args.resume, device=args.device,
        bf16=False if args.no_bf16 else "auto", torch_compile=args.compile)
    if distributed.is_main_process():
        summary = ", ".join(f"{k} {v:.3f}" for k, v in result.metrics.items()
                            if k in ("loss", "mlm_accuracy", "nsp_accuracy", "eval_mlm_accuracy", "eval_nsp_accuracy"))
        print(f"step {result.global_step}: {summary}")
        print(f"saved to {args.out} (model, tokenizer, metrics.jsonl)")
    return 0


def run_fill_mask(args: argparse.Namespace) -> int:
    fill = pipeline("fill-mask", model=args.model)
    for text in args.text:
        print(text)
        guesses = fill(text, top_k=args.top_k)
        per_mask = guesses if guesses and isinstance(guesses[0], list) else [guesses]
        for number, mask_guesses in enumerate(per_mask, start=1):
            if len(per_mask) > 1:
                print(f"  {fill.tokenizer.mask_token} {number}:")
            for guess in mask_guesses:
                print(f"    {guess['token_str']:<16} {guess['score']:.3f}")
    return 0
