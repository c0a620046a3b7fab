"""Extractive summarization, BertSum-style (Liu 2019, "Fine-tune BERT for Extractive Summarization").

An extractive summary is a choice of the document's own sentences. BERT reads the whole document, and
every sentence gets its own [CLS]:

    [CLS] sent 1 [SEP] [CLS] sent 2 [SEP] [CLS] sent 3 [SEP] ...
      0    0 0 0   0     1    1 1 1   1     0    0 0 0   0      <- interval segment ids

Each [CLS] vector ends up describing its sentence in the context of the document; the alternating
segment ids ("interval segments") tell BERT where one sentence stops and the next begins. A linear layer
scores every sentence, trained with binary cross-entropy against "is this sentence in the reference
summary?" (the gold ``summary_indices``, or, for abstractive references such as CNN/DailyMail's, the
greedy oracle: the sentences that maximise ROUGE with the reference, as BertSum builds its labels).

The summary is the k best-scored sentences, put back in document order (optionally skipping a sentence
that shares a trigram with one already chosen: "trigram blocking", BertSum's cure for repetition).
It is scored with ROUGE-1/2/L against the reference; the lead-k baseline (the first k sentences) is the
number to beat: news puts its main point first.

BERT reads at most 512 positions: the sentences that do not fit are dropped (and can never be chosen);
a warning says how many.
"""
from __future__ import annotations

import re
import statistics
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from minibert.config import BertConfig
from minibert.heads import _BertWithClassifier
from minibert.outputs import TokenClassifierOutput
from minibert.tasks.batching import DynamicPadding, input_padding, model_outputs
from minibert.tasks.formats import FormatError, TaskData, finish_loading, get_field, read_jsonl
from minibert.tasks.metrics import rouge, rouge_n
from minibert.tasks.task import Features, HFOptions, Pipeline, Task

# ---------------------------------------------------------------------------------------------------
# The file format

@dataclass
class SummaryExample:
    """A document and its reference summary. For extractive data, ``sentences`` are the document's
    sentences and ``summary_indices`` the (sorted) indices of the sentences in the summary."""
    document: str
    summary: str
    sentences: list[str] | None = None
    summary_indices: list[int] | None = None
    id: str | None = None


def _summary_example(row: dict, path: Path, line: int) -> SummaryExample:
    document = get_field(row, ["document", "article", "text"], path, line)  # XSum, CNN-DM, others
    summary = get_field(row, ["summary", "highlights"], path, line)
    sentences = row.get("sentences")
    if isinstance(document, list):  # a document given as its list of sentences
        sentences, document = document, " ".join(document)
    indices = row.get("summary_indices")
    if not isinstance(document, str) or not isinstance(summary, str):
        raise FormatError(path, line, "document and summary must be strings")
    if sentences is not None and not (isinstance(sentences, list) and all(isinstance(s, str) for s in sentences)):
        raise FormatError(path, line, "'sentences' must be a list of strings")
    if indices is not None:
        if sentences is None:
            raise FormatError(path, line, "'summary_indices' needs the document's 'sentences'")
        if (not isinstance(indices, list) or not all(isinstance(i, int) for i in indices)
                or indices != sorted(set(indices)) or any(not 0 <= i < len(sentences) for i in indices)):
            raise FormatError(path, line, f"'summary_indices' must be sorted distinct indices into the "
                                          f"{len(sentences)} sentences, got {indices!r}")
    return SummaryExample(document, summary, sentences, indices, id=None if row.get("id") is None else str(row["id"]))


def load_summaries(path: str | Path) -> TaskData:
    """Documents with reference summaries, JSON lines as in Hugging Face's XSum (``document``,
    ``summary``) or CNN/DailyMail (``article``, ``highlights``). Extractive data also gives the
    document's ``sentences`` (or ``document`` as a list of sentences) and ``summary_indices``."""
    path, skipped = Path(path), Counter()
    examples = [_summary_example(row, path, line) for line, row in read_jsonl(path, skipped)]
    return finish_loading(TaskData(examples, str(path), skipped=dict(skipped)))


DEFAULT_SUMMARY_SENTENCES = 3  # BertSum's top-3 on CNN/DailyMail
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+")  # ., ! or ?, closing quotes/brackets, then a space


# ---------------------------------------------------------------------------------------------------
# Sentences and labels


def split_sentences(text: str) -> list[str]:
    """A plain rule, enough for news-like text: a sentence ends at ``.``, ``!`` or ``?`` followed by
    a space. ("Mr. Smith" is split after "Mr."; give a document's ``sentences`` to avoid that.)"""
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def document_sentences(example: SummaryExample) -> list[str]:
    """The document's sentences: given by the file, or split from the text."""
    return list(example.sentences) if example.sentences is not None else split_sentences(example.document)


def oracle_indices(sentences: Sequence[str], summary: str, max_sentences: int = 3) -> list[int]:
    """Greedy oracle labels for an abstractive reference (Nallapati 2017; BertSum): add, one at a time,
    the sentence that most raises ROUGE-1 + ROUGE-2 of the selection against ``summary``; stop when no
    sentence raises it. Returns sorted indices."""
    chosen: list[int] = []
    best = 0.0
    for _ in range(min(max_sentences, len(sentences))):
        def gain(i: int) -> float:
            text = " ".join(sentences[j] for j in sorted(chosen + [i]))
            return rouge_n(text, summary, 1) + rouge_n(text, summary, 2)
        candidates = [i for i in range(len(sentences)) if i not in chosen]
        score, pick = max((gain(i), i) for i in candidates)
        if score <= best:
            break
        chosen.append(pick)
        best = score
    return sorted(chosen)


def gold_indices(example: SummaryExample, sentences: Sequence[str]) -> list[int]:
    """The summary's sentences: ``summary_indices`` when the file gives them, else the greedy oracle."""
    if example.summary_indices is not None:
        return list(example.summary_indices)
    return oracle_indices(sentences, example.summary)


# ---------------------------------------------------------------------------------------------------
# Features and batches


def encode_document(sentences: Sequence[str], tokenizer, max_length: int = 512) -> dict[str, Any]:
    """``[CLS] s1 [SEP] [CLS] s2 [SEP] ...`` with interval segments, cut at ``max_length``.

    Returns ``input_ids``, ``token_type_ids``, ``attention_mask``, ``cls_positions`` (the index of each
    kept sentence's [CLS]) and ``sentence_mask`` (one 1 per kept sentence). A sentence that does not fit
    whole is dropped with all those after it, except the first, which is cut to fit (a document always
    keeps one sentence). The caller compares ``len(cls_positions)`` with ``len(sentences)``.
    """
    if not sentences:
        raise ValueError("a document needs at least one sentence to summarise")
    ids: list[int] = []
    segments: list[int] = []
    cls_positions: list[int] = []
    pieces = tokenizer(list(sentences), add_special_tokens=False)["input_ids"]
    for i, sentence_ids in enumerate(pieces):
        if i == 0:
            sentence_ids = sentence_ids[:max_length - 2]  # the first sentence always fits, cut if need be
        if len(ids) + len(sentence_ids) + 2 > max_length:
            break
        cls_positions.append(len(ids))
        block = [tokenizer.cls_token_id, *sentence_ids, tokenizer.sep_token_id]
        ids += block
        segments += [i % 2] * len(block)  # interval segments: 0, 1, 0, 1, ... per sentence
    return {"input_ids": ids, "token_type_ids": segments, "attention_mask": [1] * len(ids),
            "cls_positions": cls_positions, "sentence_mask": [1] * len(cls_positions)}


def summary_features(examples: Sequence[SummaryExample], tokenizer, max_length: int = 512, train: bool = True
                     ) -> list[dict[str, Any]]:
    """One feature per document (see `encode_document`); training features add ``labels``: 1.0 for each
    kept sentence in the summary, 0.0 for the others. Warns once if sentences were cut off."""
    if not examples:
        raise ValueError("no documents to tokenize")
    features, cut_documents, dropped = [], 0, 0
    for example in examples:
        sentences = document_sentences(example)
        feature = encode_document(sentences, tokenizer, max_length)
        kept = len(feature["cls_positions"])
        if kept < len(sentences):
            cut_documents += 1
            dropped += len(sentences) - kept
        if train:
            gold = set(gold_indices(example, sentences))
            feature["labels"] = [float(i in gold) for i in range(kept)]
        features.append(feature)
    if cut_documents:
        warnings.warn(f"{cut_documents} of {len(examples)} documents are longer than max_length={max_length} "
                      f"tokens: their last {dropped} sentences in all were dropped and can never be chosen "
                      f"(raise max_length, up to 512)", stacklevel=2)
    return features


def summary_collator(pad_token_id: int = 0) -> DynamicPadding:
    """Batches for ``BertForExtractiveSummarization(**batch)``: inputs (B, T), ``cls_positions``,
    ``sentence_mask`` and ``labels`` (B, S), padded to the longest document and the most sentences."""
    return input_padding(pad_token_id, cls_positions=0, sentence_mask=0, labels=0.0)


# ---------------------------------------------------------------------------------------------------
# The model


class BertForExtractiveSummarization(_BertWithClassifier):
    """BERT + a linear sentence scorer on each sentence's [CLS] vector (BertSum's simple classifier).

        score_i = h_[CLS_i] w + b          loss = BCE(sigmoid(score_i), in_summary_i), over real sentences
    """

    uses_pooler = False  # the sentence vectors are the [CLS] states themselves

    def __init__(self, config: BertConfig) -> None:
        super().__init__(config, 1)

    def forward(
        self,
        input_ids: torch.Tensor,
        *,
        cls_positions: torch.Tensor,
        sentence_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
        **output_flags: bool,
    ) -> TokenClassifierOutput:
        """cls_positions (B, S): index of each sentence's [CLS]; sentence_mask (B, S): 1 real / 0 padding;
        labels (B, S): 1.0 in the summary, 0.0 not. logits (B, S), very negative at padding sentences."""
        out = self.bert(input_ids, token_type_ids=token_type_ids, attention_mask=attention_mask, **output_flags)
        h = out.last_hidden_state  # (B, T, H)
        index = cls_positions.unsqueeze(-1).expand(-1, -1, h.size(-1))  # (B, S, H)
        sentence_vectors = h.gather(1, index)  # the [CLS] of each sentence: (B, S, H)
        logits = self.classifier(self.dropout(sentence_vectors)).squeeze(-1)  # (B, S)
        real = torch.ones_like(logits, dtype=torch.bool) if sentence_mask is None else sentence_mask.bool()
        loss = None
        if labels is not None:
            per_sentence = F.binary_cross_entropy_with_logits(logits.float(), labels.float(), reduction="none")
            loss = per_sentence[real].mean()  # padding sentences add nothing
        logits = logits.masked_fill(~real, torch.finfo(logits.dtype).min)  # never chosen
        return TokenClassifierOutput(loss=loss, logits=logits, **out.extras())


# ---------------------------------------------------------------------------------------------------
# Choosing sentences, scoring summaries


def _trigrams(sentence: str) -> set[tuple[str, ...]]:
    words = sentence.lower().split()
    return {tuple(words[i:i + 3]) for i in range(len(words) - 2)}


def select_sentences(scores: Sequence[float], sentences: Sequence[str], k: int,
                     trigram_blocking: bool = False) -> list[int]:
    """The indices of the ``k`` best-scored sentences, in document order. With ``trigram_blocking``, a
    sentence sharing a word trigram with one already chosen is skipped (it would repeat it)."""
    chosen: list[int] = []
    seen: set[tuple[str, ...]] = set()
    for i in sorted(range(len(scores)), key=lambda i: -scores[i]):
        if len(chosen) == k:
            break
        trigrams = _trigrams(sentences[i])
        if trigram_blocking and trigrams & seen:
            continue
        chosen.append(i)
        seen |= trigrams
    return sorted(chosen)


def typical_summary_length(examples: Sequence[SummaryExample]) -> int:
    """How many sentences a summary of this data has (the median): how many to extract."""
    lengths = [len(e.summary_indices) if e.summary_indices is not None else len(split_sentences(e.summary))
               for e in examples]
    return max(1, round(statistics.median(lengths)))


def lead_baseline(examples: Sequence[SummaryExample], k: int) -> dict[str, float]:
    """ROUGE of the first ``k`` sentences of each document: the classic baseline for news."""
    leads = [" ".join(document_sentences(e)[:k]) for e in examples]
    return rouge(leads, [e.summary for e in examples])


def sentence_scores(model: BertForExtractiveSummarization, features: Sequence[Mapping[str, Any]],
                    batch_size: int = 16) -> list[list[float]]:
    """Each document's sentence scores (the kept sentences only), in order."""
    logits = model_outputs(model, features, summary_collator(model.config.pad_token_id), batch_size,
                           ["logits"], per_token=False)["logits"]
    return [row[:len(f["cls_positions"])].tolist() for row, f in zip(logits, features)]


def evaluate(model: BertForExtractiveSummarization, examples: Sequence[SummaryExample],
             features: Sequence[Mapping[str, Any]], batch_size: int = 16, k: int | None = None,
             trigram_blocking: bool = False) -> dict[str, float]:
    """ROUGE-1/2/L (F-measures, 0-1) of the model's top-``k`` sentences against the references, the
    lead-``k`` baseline's (``lead_rouge1`` ...), and ``summary_sentences`` = k (by default the typical
    summary length of ``examples``; fine-tuning writes it into the model's config for the pipeline)."""
    k = typical_summary_length(examples) if k is None else k
    summaries = []
    for example, scores in zip(examples, sentence_scores(model, features, batch_size)):
        sentences = document_sentences(example)
        summaries.append(" ".join(sentences[i] for i in select_sentences(scores, sentences, k, trigram_blocking)))
    lead = lead_baseline(examples, k)
    return {**rouge(summaries, [e.summary for e in examples]),
            **{f"lead_{name}": value for name, value in lead.items()}, "summary_sentences": k}


def predict(model: BertForExtractiveSummarization, tokenizer, documents: Sequence[str | Sequence[str]],
            num_sentences: int | None = None, trigram_blocking: bool = False, max_length: int = 512,
            batch_size: int = 16) -> list[dict[str, Any]]:
    """Summarise each document (a string, or its list of sentences): ``{"summary_text", "sentence_indices"}``.

    ``num_sentences`` defaults to the model config's ``summary_sentences`` (set by fine-tuning), else 3.
    """
    k = num_sentences or model.config.extra.get("summary_sentences", DEFAULT_SUMMARY_SENTENCES)
    examples = [SummaryExample(d, "") if isinstance(d, str) else SummaryExample(" ".join(d), "", list(d))
                for d in documents]
    max_length = min(max_length, model.config.max_position_embeddings)
    features = summary_features(examples, tokenizer, max_length, train=False)
    model.eval()
    results = []
    for example, scores in zip(examples, sentence_scores(model, features, batch_size)):
        sentences = document_sentences(example)
        indices = select_sentences(scores, sentences, int(k), trigram_blocking)
        results.append({"summary_text": " ".join(sentences[i] for i in indices), "sentence_indices": indices})
    return results


def task_features(examples, tokenizer, max_length, label_names, train) -> Features:
    """`Task.features`: labels (gold or oracle sentences) for training only."""
    return summary_features(examples, tokenizer, max_length, train)


def from_hf_row(row: dict, options: HFOptions) -> SummaryExample:
    """A row of HF's xsum (``document``, ``summary``) or cnn_dailymail (``article``, ``highlights``)."""
    return SummaryExample(row.get("document", row.get("article")), row.get("summary", row.get("highlights")),
                          id=row.get("id"))


class SummarizationPipeline(Pipeline):
    """``summarize(document)`` → ``{"summary_text", "sentence_indices"}``: the document's best-scored
    sentences (BertSum), in document order; ``num_sentences`` defaults to what fine-tuning found typical."""

    model_class = BertForExtractiveSummarization

    def predict(self, inputs: list, num_sentences: int | None = None, trigram_blocking: bool = False) -> list:
        self._check_texts(inputs)
        return predict(self.model, self.tokenizer, inputs, num_sentences, trigram_blocking, self.max_length,
                       self.batch_size)


TASK = Task(
    name="summarization", help="document -> its key sentences (BertSum, use --max-length 256 or more): JSONL",
    pipeline=SummarizationPipeline,
    model_class=BertForExtractiveSummarization, load=load_summaries, features=task_features,
    collator=summary_collator, evaluate=evaluate,
    metrics=("rouge1", "rouge2", "rougeL", "lead_rouge1", "lead_rouge2", "lead_rougeL"),
    config_keys=("summary_sentences",), from_hf_row=from_hf_row,
)
