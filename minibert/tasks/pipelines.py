"""Pipelines: raw strings in, readable answers out, in the spirit of Hugging Face's ``pipeline``.

    >>> qa = pipeline("question-answering", model="runs/qa")
    >>> qa(question="What is the capital of France?", context="The capital of France is Paris.")
    {'answer': 'Paris', 'score': 0.98, 'start': 25, 'end': 30}

Each pipeline does the three steps a learner would otherwise write by hand: tokenize the text the way
the model was trained, run the model without gradients, and turn the logits back into words with
character positions in the original string. One input gives one result; a list gives a list.

``pipeline(task, model=...)`` picks the class from :data:`PIPELINES` (``register_pipeline`` adds one).
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import torch

from minibert.heads import (BertForMaskedLM, BertForMultipleChoice, BertForPreTraining, BertForQuestionAnswering,
                            BertForSequenceClassification, BertForTokenClassification)
from minibert.hub import resolve_model_dir
from minibert.modeling import BertPreTrainedModel
from minibert.tasks import multiple_choice, ner, qa, summarization, translation
from minibert.tasks.classification import classification_collator, label_of
from minibert.tasks.collate import input_padding
from minibert.tasks.finetune import model_outputs, qa_predictions
from minibert.tasks.formats import QAExample
from minibert.tokenizer import BertTokenizer
from minibert.weights import read_state_dict


class Pipeline:
    """A model in eval mode, its tokenizer, and ``__call__`` from raw text to results."""

    model_class: type[BertPreTrainedModel] = BertPreTrainedModel

    def __init__(self, model: BertPreTrainedModel, tokenizer: BertTokenizer, device: str | torch.device = "cpu",
                 batch_size: int = 32):
        self.model = model.to(device).eval()
        self.tokenizer = tokenizer
        self.batch_size = batch_size
        self.max_length = model.config.max_position_embeddings

    @classmethod
    def from_pretrained(cls, path_or_name: str | Path, **kwargs: Any) -> "Pipeline":
        return cls(cls.model_class.from_pretrained(path_or_name), BertTokenizer.from_pretrained(path_or_name),
                   **kwargs)

    def __call__(self, inputs: Any, **kwargs: Any) -> Any:
        single = isinstance(inputs, (str, dict, tuple))
        results = self.predict([inputs] if single else list(inputs), **kwargs)
        return results[0] if single else results

    def predict(self, inputs: list, **kwargs: Any) -> list:
        raise NotImplementedError

    def _check_texts(self, texts: Sequence[Any]) -> None:
        if not texts:
            raise ValueError(f"{type(self).__name__} got no input")
        for text in texts:
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"expected a non-empty string, got {text!r}")


# ---------------------------------------------------------------------------------------------------


class FillMaskPipeline(Pipeline):
    """``fill("the cat sat on the [MASK].")`` → the ``top_k`` guesses, best first:
    ``[{"score", "token", "token_str", "sequence"}]`` (a list of such lists when the text has several masks).

    Needs a model with its masked-LM head, such as a pre-training output; MiniLM has none. A model object
    may be a ``BertForMaskedLM`` or a ``BertForPreTraining`` (whose MLM scores are ``prediction_logits``).
    """

    model_class = BertForMaskedLM

    @classmethod
    def from_pretrained(cls, path_or_name: str | Path, **kwargs: Any) -> "Pipeline":
        state, path = read_state_dict(resolve_model_dir(path_or_name))
        if not any(key.startswith("cls.predictions.") for key in state):
            raise ValueError(f"{path} has no masked-LM head (cls.predictions.*): fill-mask needs a model "
                             "pre-trained with MLM, such as the course model or your pre-training output")
        return super().from_pretrained(path_or_name, **kwargs)

    def predict(self, inputs: list, top_k: int = 5) -> list:
        self._check_texts(inputs)
        results = []
        for text in inputs:
            enc = self.tokenizer(text, truncation=True, max_length=self.max_length)
            ids = enc["input_ids"]
            positions = [i for i, t in enumerate(ids) if t == self.tokenizer.mask_token_id]
            if not positions:
                raise ValueError(f"no {self.tokenizer.mask_token} in {text!r}: nothing to fill")
            field = "prediction_logits" if isinstance(self.model, BertForPreTraining) else "logits"
            logits = model_outputs(self.model, [dict(enc)], input_padding(self.tokenizer.pad_token_id), 1,
                                   [field], per_token=True)[field][0]  # (T, V)
            per_mask = [self._guesses(ids, p, logits[p].softmax(-1), top_k) for p in positions]
            results.append(per_mask[0] if len(per_mask) == 1 else per_mask)
        return results

    def _guesses(self, ids: list[int], position: int, probs: torch.Tensor, top_k: int) -> list[dict[str, Any]]:
        top = probs.topk(min(top_k, len(probs)))
        guesses = []
        for score, token in zip(top.values.tolist(), top.indices.tolist()):
            filled = ids[:position] + [token] + ids[position + 1:]
            # Drop [CLS], [SEP] and padding but keep any other [MASK] of the text visible.
            text_ids = [i for i in filled if i not in (self.tokenizer.cls_token_id, self.tokenizer.sep_token_id,
                                                       self.tokenizer.pad_token_id)]
            guesses.append({"score": score, "token": token, "token_str": self.tokenizer.convert_ids_to_tokens(token),
                            "sequence": self.tokenizer.decode(text_ids)})
        return guesses


# ---------------------------------------------------------------------------------------------------


class TextClassificationPipeline(Pipeline):
    """``classify("a great film")`` → ``{"label": "positive", "score": 0.97}``.

    A sentence pair (NLI, paraphrase) is a tuple ``(premise, hypothesis)`` or a dict
    ``{"text": ..., "text_pair": ...}``. ``top_k=None`` returns every label, best first.
    """

    model_class = BertForSequenceClassification

    @staticmethod
    def _pair(item: Any) -> tuple[str, str | None]:
        if isinstance(item, str):
            return item, None
        if isinstance(item, tuple) and len(item) == 2:
            return item
        if isinstance(item, dict) and "text" in item:
            return item["text"], item.get("text_pair")
        raise ValueError(f"expected a text, a (text, text_pair) tuple or a dict with 'text', got {item!r}")

    def predict(self, inputs: list, top_k: int | None = 1) -> list:
        pairs = [self._pair(item) for item in inputs]
        self._check_texts([t for pair in pairs for t in pair if t is not None])
        features = []
        for text, text_pair in pairs:  # one at a time: a batch may mix single sentences and pairs
            enc = self.tokenizer(text, text_pair, truncation="longest_first", max_length=self.max_length)
            features.append(dict(enc))
        logits = model_outputs(self.model, features, classification_collator(self.tokenizer.pad_token_id),
                               self.batch_size, ["logits"], per_token=False)["logits"]
        results = []
        for row in logits:
            probs = row.softmax(-1)
            ranked = [{"label": label_of(self.model.config.id2label, i), "score": float(probs[i])}
                      for i in probs.argsort(descending=True).tolist()]
            results.append(ranked[0] if top_k == 1 else ranked[:top_k])
        return results


# ---------------------------------------------------------------------------------------------------


class QuestionAnsweringPipeline(Pipeline):
    """``answer(question="...", context="...")`` → ``{"answer", "score", "start", "end"}`` with
    ``context[start:end] == answer``; ``score`` is the span's probability among the n-best spans.

    A context longer than the model's window is read in overlapping windows (``doc_stride`` tokens
    shared) and the best span over all windows is kept. A model fine-tuned on SQuAD v2 data carries its
    tuned ``null_threshold`` in its config; it then answers ``""`` (start = end = 0) when "no answer"
    wins, with ``score`` the probability-like sigmoid(null score − best span score − threshold).
    """

    model_class = BertForQuestionAnswering

    def __call__(self, inputs: Any = None, *, question: str | None = None, context: str | None = None,
                 **kwargs: Any) -> Any:
        if inputs is None:
            if question is None or context is None:
                raise ValueError("give question= and context= (or a dict / list of dicts with both)")
            inputs = {"question": question, "context": context}
        return super().__call__(inputs, **kwargs)

    def predict(self, inputs: list, top_k: int = 1, max_answer_length: int = 30, max_length: int = 384,
                doc_stride: int | None = None, handle_impossible_answer: bool | None = None) -> list:
        examples = []
        for i, item in enumerate(inputs):
            if not isinstance(item, dict) or "question" not in item or "context" not in item:
                raise ValueError(f"expected a dict with 'question' and 'context', got {item!r}")
            self._check_texts([item["question"], item["context"]])
            examples.append(QAExample(str(i), item["question"], item["context"], []))
        max_length = min(max_length, self.max_length)
        stride = doc_stride if doc_stride is not None else max_length // 4
        features = qa.prepare_eval_features(examples, self.tokenizer, max_length=max_length, doc_stride=stride)
        threshold = self.model.config.extra.get("null_threshold")
        version_2 = threshold is not None if handle_impossible_answer is None else handle_impossible_answer
        predictions = qa_predictions(self.model, examples, features, self.batch_size, version_2=version_2,
                                     null_threshold=threshold or 0.0)
        results = []
        for example in examples:
            prediction = predictions[example.id]
            if prediction.is_null or not prediction.n_best:
                sure = 1 / (1 + math.exp(-min(50.0, prediction.null_score_diff - (threshold or 0.0))))
                answers = [{"answer": "", "score": sure, "start": 0, "end": 0}]
            else:
                answers = [{"answer": s.text, "score": s.probability, "start": s.start, "end": s.end}
                           for s in prediction.n_best[:top_k]]
            results.append(answers[0] if top_k == 1 else answers)
        return results


# ---------------------------------------------------------------------------------------------------


class NerPipeline(Pipeline):
    """``ner("Barack Obama was born in Hawaii.")`` → entities, in text order:
    ``[{"entity_group": "PER", "word": "Barack Obama", "start": 0, "end": 12, "score": 0.99}, ...]``.

    Words are the tokenizer's words (split at spaces and punctuation); each takes the tag predicted at
    its first sub-token, consecutive tags form entities (conlleval's rules), and ``score`` is the mean
    probability of those tags. A text longer than the model's window is read in overlapping windows that
    share ``stride`` tokens (default: a quarter of the window); each token keeps the prediction of the
    window where it has the most context on both sides (the rule of SQuAD's doc stride, lesson 12).
    """

    model_class = BertForTokenClassification

    def predict(self, inputs: list, stride: int | None = None) -> list:
        self._check_texts(inputs)
        stride = self.max_length // 4 if stride is None else stride
        enc = self.tokenizer(inputs, truncation=True, max_length=self.max_length, stride=stride,
                             return_overflowing_tokens=True, return_word_ids=True, return_offsets_mapping=True)
        windows = [{k: enc[k][i] for k in ("input_ids", "token_type_ids", "attention_mask")}
                   for i in range(len(enc["input_ids"]))]
        logits = model_outputs(self.model, windows, lambda f: ner.collate_ner(f, self.tokenizer.pad_token_id),
                               self.batch_size, ["logits"], per_token=True)["logits"]
        rows_of: dict[int, list[int]] = {}  # text -> its windows, in order
        for row, text_index in enumerate(enc["overflow_to_sample_mapping"]):
            rows_of.setdefault(text_index, []).append(row)
        results = []
        for text_index, text in enumerate(inputs):
            word_ids, offsets, probs = _stitch_windows(
                [enc["word_ids"][r] for r in rows_of[text_index]], [enc["offset_mapping"][r] for r in rows_of[text_index]],
                [logits[r].softmax(-1) for r in rows_of[text_index]], stride, f"text {text_index}")
            spans: dict[int, tuple[int, int]] = {}  # word -> its character span, from its pieces' offsets
            for word, (start, end) in zip(word_ids, offsets):
                first, last = spans.get(word, (start, end))
                spans[word] = (min(first, start), max(last, end))
            word_offsets = [spans[w] for w in range(len(spans))]
            results.append(ner.aggregate_predictions(
                [text[a:b] for a, b in word_offsets], word_ids, probs.argmax(-1).tolist(), self.model.config.id2label, token_scores=probs.max(-1).values.tolist(),
                word_offsets=word_offsets, text=text))
        return results


def _stitch_windows(word_ids: list[list], offsets: list[list], probs: list[torch.Tensor], stride: int,
                    what: str) -> tuple[list[int], list[tuple[int, int]], torch.Tensor]:
    """One text's windows → its tokens once each, in order: word ids, character offsets and the label
    probabilities (T, labels) taken from the window where each token has its maximum context.
    ``[CLS]`` and ``[SEP]`` (word id None) are dropped."""
    content = [[i for i, w in enumerate(window) if w is not None] for window in word_ids]  # positions of real tokens
    spans = qa.window_spans([[tuple(offsets[w][i]) for i in positions] for w, positions in enumerate(content)],
                            stride, what)
    flags = qa.max_context_flags(spans, spans[-1][0] + spans[-1][1])
    kept_ids, kept_offsets, kept_probs = [], [], []
    for w, positions in enumerate(content):
        for i, best in zip(positions, flags[w]):
            if best:
                kept_ids.append(word_ids[w][i])
                kept_offsets.append(tuple(offsets[w][i]))
                kept_probs.append(probs[w][i])
    return kept_ids, kept_offsets, torch.stack(kept_probs) if kept_probs else torch.zeros(0, probs[0].shape[-1])


class MultipleChoicePipeline(Pipeline):
    """``choose({"context": "...", "endings": [...], "start": ""})`` → ``{"label": best ending's index,
    "scores": [softmax probability of each ending]}``."""

    model_class = BertForMultipleChoice

    def predict(self, inputs: list, max_length: int = 128) -> list:
        results = []
        for item in inputs:
            if not isinstance(item, dict) or "context" not in item or "endings" not in item:
                raise ValueError(f"expected a dict with 'context' and 'endings' (and optionally 'start'), got {item!r}")
            self._check_texts([item["context"], *item["endings"]])
            results.append(multiple_choice.predict(self.model, self.tokenizer, item["context"], item["endings"],
                                                   item.get("start", ""), min(max_length, self.max_length)))
        return results


class SummarizationPipeline(Pipeline):
    """``summarize(document)`` → ``{"summary_text", "sentence_indices"}``: the document's best-scored
    sentences (BertSum), in document order; ``num_sentences`` defaults to what fine-tuning found typical."""

    model_class = summarization.BertForExtractiveSummarization

    def predict(self, inputs: list, num_sentences: int | None = None, trigram_blocking: bool = False) -> list:
        self._check_texts(inputs)
        return summarization.predict(self.model, self.tokenizer, inputs, num_sentences, trigram_blocking,
                                     self.max_length, self.batch_size)


class TranslationPipeline(Pipeline):
    """``translate("where are the books ?")`` → ``{"translation_text": "ou sont les livres?"}`` (beam search;
    the uncased vocabulary writes lower case without accents)."""

    model_class = translation.BertEncoderDecoder

    def predict(self, inputs: list, num_beams: int = 4, max_length: int | None = None,
                length_penalty: float = 1.0) -> list:
        self._check_texts(inputs)
        return translation.predict(self.model, self.tokenizer, inputs, num_beams, max_length, length_penalty,
                                   self.batch_size)


# ---------------------------------------------------------------------------------------------------

PIPELINES: dict[str, type[Pipeline]] = {
    "fill-mask": FillMaskPipeline,
    "text-classification": TextClassificationPipeline,
    "question-answering": QuestionAnsweringPipeline,
    "ner": NerPipeline,
    "multiple-choice": MultipleChoicePipeline,
    "summarization": SummarizationPipeline,
    "translation": TranslationPipeline,
}
ALIASES = {"sentiment-analysis": "text-classification", "nli": "text-classification", "qa": "question-answering",
           "token-classification": "ner"}


def register_pipeline(name: str, cls: type[Pipeline], *aliases: str) -> None:
    """Make ``pipeline(name)`` (and each alias) build ``cls``."""
    PIPELINES[name] = cls
    ALIASES.update({alias: name for alias in aliases})


def pipeline(task: str, model: str | Path | BertPreTrainedModel | None = None,
             tokenizer: BertTokenizer | None = None, device: str | torch.device = "cpu", **kwargs: Any) -> Pipeline:
    """A ready-to-call pipeline for ``task`` (one of :data:`PIPELINES` or an alias such as "qa").

    ``model``: a fine-tuned model directory (what ``minibert finetune`` writes), a short name, or a model
    object (then give its ``tokenizer``).
    """
    name = ALIASES.get(task, task)
    if name not in PIPELINES:
        raise ValueError(f"unknown pipeline task {task!r}: expected one of {sorted(PIPELINES) + sorted(ALIASES)}")
    cls = PIPELINES[name]
    if model is None:
        made_by = "`minibert pretrain`" if name == "fill-mask" else f"`minibert finetune {task}`"
        raise ValueError(f"pipeline({task!r}) needs model=: a directory written by {made_by}")
    if isinstance(model, BertPreTrainedModel):
        if tokenizer is None:
            raise ValueError("a model object needs its tokenizer: pipeline(task, model, tokenizer=...)")
        return cls(model, tokenizer, device=device, **kwargs)
    if tokenizer is not None:
        return cls(cls.model_class.from_pretrained(model), tokenizer, device=device, **kwargs)
    return cls.from_pretrained(model, device=device, **kwargs)


def describe(result: Any) -> str:
    """A compact one-line rendering of a pipeline result (for the command line)."""
    def fmt(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:.4f}"
        if isinstance(value, Mapping):
            return "{" + ", ".join(f"{k}: {fmt(v)}" for k, v in value.items()) + "}"
        if isinstance(value, list):
            return "[" + ", ".join(fmt(v) for v in value) + "]"
        return repr(value)
    return fmt(result)
