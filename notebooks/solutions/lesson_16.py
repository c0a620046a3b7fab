"""Lesson 16 solutions."""
import torch

from minibert import BertModel, BertTokenizer, probing
from minibert.course.paths import data_dir
from minibert.tasks.ner import load_conll


def zero_head(context, head, num_heads):
    # Head h's outputs are the h-th block of d = H / num_heads consecutive columns (the heads sit side by side).
    d = context.shape[-1] // num_heads
    out = context.clone()
    out[..., head * d:(head + 1) * d] = 0.0
    return out


def zero_head_in_place(context, head, num_heads):
    # A mistake: right columns, but the caller's tensor is changed too.
    d = context.shape[-1] // num_heads
    context[..., head * d:(head + 1) * d] = 0.0
    return context


def zero_head_strided(context, head, num_heads):
    # A mistake: every num_heads-th column (the layout of (B, T, d, A), not minibert's (B, T, A, d)).
    out = context.clone()
    out[..., head::num_heads] = 0.0
    return out


def probe_errors(layer, train_sentences=200, dev_sentences=100):
    # The experiment of 16.3 by hand: first-piece vectors from output_hidden_states, a probe, its wrong words.
    folder = data_dir() / "tasks" / "ner"
    train = load_conll(folder / "train.txt").examples[:train_sentences]
    dev = load_conll(folder / "dev.txt").examples[:dev_sentences]
    tokenizer, model = BertTokenizer.from_pretrained("minilm"), BertModel.from_pretrained("minilm")

    def vectors(sentences):
        rows = []
        for e in sentences:
            enc = tokenizer(e.tokens, is_split_into_words=True, return_tensors="pt", return_word_ids=True)
            with torch.no_grad():
                hidden = model(input_ids=enc["input_ids"], output_hidden_states=True).hidden_states[layer][0]
            firsts = [enc["word_ids"][0].index(i) for i in range(len(e.tokens))]
            rows.append(hidden[firsts])
        return torch.cat(rows)

    index = probing.LabelIndex()
    y_train = index.encode(t for e in train for t in probing.entity_types(e.tags))
    y_dev = index.encode(t for e in dev for t in probing.entity_types(e.tags))
    probe = probing.train_probe(vectors(train), y_train, len(index), 1e-3, 30)
    return int((probe.predict(vectors(dev)) != y_dev).sum())


ANSWERS = {
    "16.1": 0.93 - 0.64,  # selectivity = task accuracy - control accuracy = 0.29
    "16.2": zero_head,
    "16.3": probe_errors(2),
}

WRONG = {
    "16.1": [0.64 / 0.93, 0.93 / 0.64, 0.5],
    "16.2": [zero_head_in_place, zero_head_strided],
    "16.3": [probe_errors(0), 0.93, 10_000],
}
