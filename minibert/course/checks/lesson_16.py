"""Lesson 16: what BERT knows (probes, control tasks, head ablation)."""
from __future__ import annotations

import functools
from typing import Any

import torch

from minibert.course.exercises import Hint, exercise, expect_function, expect_number, learners_code
from minibert.course.paths import data_dir
from minibert.modeling import BertModel
from minibert.probing import LabelIndex, entity_types, heads_masked, train_probe, word_vectors
from minibert.tasks.ner import load_conll
from minibert.tokenizer import BertTokenizer

TASK_ACCURACY, CONTROL_ACCURACY = 0.93, 0.64
EXPERIMENT = dict(layer=2, train_sentences=200, dev_sentences=100)  # exercise 16.3


@exercise("16.1", f"A probe scores {TASK_ACCURACY} on POS and {CONTROL_ACCURACY} on its control task at some layer. "
                  "What is its selectivity?")
def _selectivity(answer: Any) -> str | None:
    value = expect_number(answer)
    if abs(value - (TASK_ACCURACY - CONTROL_ACCURACY)) < 1e-6:
        return None
    if abs(value - CONTROL_ACCURACY / TASK_ACCURACY) < 1e-3 or abs(value - TASK_ACCURACY / CONTROL_ACCURACY) < 1e-3:
        return "selectivity is a difference of accuracies, not a ratio"
    return "task accuracy minus control accuracy"


@exercise("16.2", "Write zero_head(context, head, num_heads): a copy of context (B, T, H) in which head `head`'s "
                  "columns (its d = H / num_heads outputs) are 0, as masking a head does to W_O's input.")
def _zero_head(answer: Any) -> str | None:
    expect_function(answer, "zero_head(context, head, num_heads)")
    torch.manual_seed(0)
    context = torch.randn(2, 3, 12)
    for head, num_heads in ((0, 3), (2, 3), (1, 4)):
        original = context.clone()
        with learners_code(f"zero_head(context, {head}, {num_heads})"):
            result = answer(context, head, num_heads)
        if not torch.equal(context, original):
            return "make a copy: zero_head must not change the tensor it is given"
        if not isinstance(result, torch.Tensor) or result.shape != context.shape:
            return f"return a tensor of the same shape {tuple(context.shape)}"
        d = 12 // num_heads
        expected = context.clone()
        expected[..., head * d:(head + 1) * d] = 0
        if not torch.equal(result, expected):
            strided = context.clone()
            strided[..., head::num_heads] = 0
            if torch.equal(result, strided):
                return "head h owns the h-th block of d consecutive columns, not every num_heads-th column"
            return f"head {head} of {num_heads} owns columns {head * d} to {(head + 1) * d - 1}; the others stay"
    return _same_as_package(answer)


def _same_as_package(answer: Any) -> str | None:
    """The learner's function as a forward pre-hook gives what probing.heads_masked gives."""
    from minibert.config import BertConfig

    torch.manual_seed(0)
    config = BertConfig.from_preset("tiny", vocab_size=50, hidden_size=12, intermediate_size=24, num_hidden_layers=1,
                                    num_attention_heads=3)
    model = BertModel(config).eval()
    ids = torch.randint(5, 50, (1, 6))
    handle = model.encoder.layer[0].attention.output.dense.register_forward_pre_hook(
        lambda module, inputs: (answer(inputs[0], 1, 3),))
    with torch.no_grad():
        ours = model(ids).last_hidden_state
    handle.remove()
    with torch.no_grad(), heads_masked(model, [(0, 1)]):
        expected = model(ids).last_hidden_state
    return None if torch.allclose(ours, expected) else "used as a hook, it must give what probing.heads_masked gives"


@functools.lru_cache(maxsize=None)
def _probe_errors(layer: int, train_sentences: int, dev_sentences: int) -> int:
    """How many words of the first dev sentences the entity-type probe at ``layer`` (trained on the first
    training sentences) gets wrong."""
    folder = data_dir() / "tasks" / "ner"
    train = load_conll(folder / "train.txt").examples[:train_sentences]
    dev = load_conll(folder / "dev.txt").examples[:dev_sentences]
    tokenizer, model = BertTokenizer.from_pretrained("minilm"), BertModel.from_pretrained("minilm")
    types = LabelIndex()
    y_train = types.encode(t for e in train for t in entity_types(e.tags))
    y_dev = types.encode(t for e in dev for t in entity_types(e.tags))
    vectors = word_vectors(model, tokenizer, [e.tokens for e in train])[layer]
    probe = train_probe(vectors, y_train, len(types), 1e-3, 30)
    predicted = probe.predict(word_vectors(model, tokenizer, [e.tokens for e in dev])[layer])
    return int((predicted != y_dev).sum())


@exercise("16.3", f"Experiment: train the entity-type probe of section 1 (weight decay 1e-3, 30 iterations) on layer "
                  f"{EXPERIMENT['layer']}'s vectors of the FIRST {EXPERIMENT['train_sentences']} training sentences "
                  f"and run it on the words of the first {EXPERIMENT['dev_sentences']} dev sentences. How many of "
                  "those words does it give the wrong entity type?", experiment=True)
def _probe_experiment(answer: Any) -> str | None:
    value = expect_number(answer)
    if 0 < value < 1:
        raise Hint("count the words it gets wrong (a whole number), not the share it gets right")
    expected = _probe_errors(**EXPERIMENT)
    if abs(value - expected) <= 3:  # a few words may flip with float noise across CPUs
        return None
    if abs(value - _probe_errors(0, EXPERIMENT["train_sentences"], EXPERIMENT["dev_sentences"])) <= 3:
        return "that is layer 0 (the embeddings): take hidden_states[2], the output of the second encoder layer"
    return ("probing.word_vectors(model, tokenizer, sentences)[layer] for both sets, entity types from "
            "probing.entity_types, probing.train_probe(..., 1e-3, 30), then count predict(...) != labels")
