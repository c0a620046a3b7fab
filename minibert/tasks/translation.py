"""Translation: English -> French with a pre-trained BERT encoder and a new Transformer decoder.

The model is `minibert.tasks.translation_model.BertEncoderDecoder` (why BERT alone does not write text, the
decoder, the tied output layer, greedy and beam search); this module has the rest of the task: the features
(source ids, and for training the shifted target), batches, turning generated ids back into text, BLEU, the
pipeline and the `Task`.

The target vocabulary is BERT's own WordPiece vocabulary. bert-base-uncased's tokenizer lower-cases and strips
accents, so the model writes "ou sont les livres ?" for "où sont les livres ?". `evaluate` therefore reports
two BLEUs: ``bleu`` against references normalised the same way (what this vocabulary can express), and
``bleu_original`` against the references as written, accents and capitals included.

What makes it learn in minutes on the course data (the task's hooks, used by fine-tuning):

* A target vocabulary (`target_vocabulary`, the task's ``prepare_model``): a softmax over the few hundred ids
  the French targets use instead of the whole vocabulary; faster per step and easier to learn.
* A higher learning rate for the new decoder than for the pre-trained encoder (the task's
  ``parameter_groups``, `BertEncoderDecoder.parameter_groups`): the decoder starts from nothing, the encoder
  needs only to be nudged.
* A transform (dense, GELU, LayerNorm, as in BERT's MLM head) before the tied output matrix: without it an
  untrained decoder copies its input word with high confidence (see `BertEncoderDecoder.__init__`).
"""
from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from minibert.heads import IGNORE_INDEX
from minibert.tasks.batching import DynamicPadding, feature_length, input_padding
from minibert.tasks.formats import FormatError, TaskData, finish_loading, get_field, read_jsonl, read_lines
from minibert.tasks.metrics import bleu
from minibert.tasks.task import Features, HFOptions, Pipeline, Task
from minibert.tasks.translation_model import BertEncoderDecoder
from minibert.tokenizer import BertTokenizer

# ---------------------------------------------------------------------------------------------------
# The file format

@dataclass
class ParallelExample:
    source: str
    target: str
    id: str | None = None


def load_parallel(path: str | Path, source_lang: str = "en", target_lang: str = "fr") -> TaskData:
    """Parallel sentence pairs: a TSV without header, ``source<TAB>target`` on each line, or JSON lines
    ``{"translation": {"en": ..., "fr": ...}}`` as in Hugging Face's wmt/opus datasets (the languages
    are picked by ``source_lang`` and ``target_lang``; the TSV ignores them)."""
    path, skipped = Path(path), Counter()
    examples: list[ParallelExample] = []
    if path.suffix in (".jsonl", ".json"):
        for line, row in read_jsonl(path, skipped):
            pair = get_field(row, ["translation"], path, line)
            if not isinstance(pair, dict) or source_lang not in pair or target_lang not in pair:
                raise FormatError(path, line, f"'translation' must map {source_lang!r} and {target_lang!r} "
                                              f"to sentences, got {pair!r}")
            examples.append(ParallelExample(str(pair[source_lang]), str(pair[target_lang]), row.get("id")))
    else:
        for line, text in read_lines(path):
            if not text.strip():
                skipped["blank line"] += 1
                continue
            values = text.split("\t")
            if len(values) != 2:
                raise FormatError(path, line, f"expected 'source<TAB>target' (2 columns), got {len(values)}")
            examples.append(ParallelExample(values[0], values[1]))
    return finish_loading(TaskData(examples, str(path), skipped=dict(skipped)))


# ---------------------------------------------------------------------------------------------------
# Features and batches


def translation_features(examples: Sequence[ParallelExample], tokenizer, max_length: int = 128,
                         max_target_length: int = 128, train: bool = True) -> list[dict[str, Any]]:
    """Source ``input_ids``/``token_type_ids``/``attention_mask`` (cut at ``max_length``) and, for
    training, ``decoder_input_ids`` = ``[CLS] y1 .. yn`` and ``labels`` = ``y1 .. yn [SEP]`` (the target
    cut to ``max_target_length`` tokens with [CLS] and [SEP]). Warns if anything was cut."""
    if not examples:
        raise ValueError("no sentence pairs to tokenize")
    source = tokenizer([e.source for e in examples], truncation=True, max_length=max_length)
    features = [{key: source[key][i] for key in ("input_ids", "token_type_ids", "attention_mask")}
                for i in range(len(examples))]
    cut = sum(len(f["input_ids"]) == max_length for f in features)
    if train:
        target = tokenizer([e.target for e in examples], truncation=True, max_length=max_target_length)["input_ids"]
        for feature, ids in zip(features, target):
            feature["decoder_input_ids"], feature["labels"] = ids[:-1], ids[1:]  # shifted by one
        cut += sum(len(ids) == max_target_length for ids in target)
    if cut:
        warnings.warn(f"{cut} sentences reached the length limit (source {max_length}, target "
                      f"{max_target_length} tokens) and may have been cut", stacklevel=2)
    return features


def target_vocabulary(features: Sequence[Mapping[str, Any]], tokenizer) -> list[int]:
    """The ids the decoder must be able to write: every label id of the training ``features``, plus
    [UNK] (a word the vocabulary lacks) and [SEP] (the end). For `BertEncoderDecoder(target_vocab=...)`."""
    ids = {i for f in features for i in f["labels"] if i != IGNORE_INDEX}
    return sorted(ids | {tokenizer.unk_token_id, tokenizer.sep_token_id})


def translation_collator(pad_token_id: int = 0) -> DynamicPadding:
    """Batches for ``BertEncoderDecoder(**batch)``: source (B, S), ``decoder_input_ids``/``labels`` (B, T)."""
    return input_padding(pad_token_id, decoder_input_ids=pad_token_id, labels=IGNORE_INDEX)


# ---------------------------------------------------------------------------------------------------
# Translating and scoring


def detokenize(tokenizer, ids: Sequence[int]) -> str:
    """Ids to text: pieces joined, special tokens dropped, and no spaces around ' and - (French elision
    "n'est", compounds "Royaume-Uni"), which the tokenizer splits off as punctuation."""
    text = tokenizer.decode(list(ids), skip_special_tokens=True)
    for mark in ("'", "-"):
        text = text.replace(f" {mark} ", mark).replace(f" {mark}", mark).replace(f"{mark} ", mark)
    return text


def normalise_target(tokenizer, text: str) -> str:
    """``text`` as the model can at best write it: a round trip through the tokenizer (lower-cased, no
    accents for an uncased vocabulary)."""
    return detokenize(tokenizer, tokenizer(text, add_special_tokens=False)["input_ids"])


def translate_features(model: BertEncoderDecoder, tokenizer, features: Sequence[Mapping[str, Any]],
                       batch_size: int = 32, num_beams: int = 1, max_length: int | None = None,
                       length_penalty: float = 1.0) -> list[str]:
    """The translation of each feature's source, in order (batched by length). Without ``max_length``, a
    batch writes at most 2 x its longest source + 10 tokens (fairseq's ``max_len_a``/``max_len_b`` idea):
    a translation is rarely much longer than its source, and an untrained model may never write [SEP]."""
    device = next(model.parameters()).device
    collate = translation_collator(model.config.pad_token_id)
    order = sorted(range(len(features)), key=lambda i: feature_length(features[i]))
    texts: list[str] = [""] * len(features)
    for start in range(0, len(order), batch_size):
        indices = order[start:start + batch_size]
        batch = collate([{k: features[i][k] for k in ("input_ids", "token_type_ids", "attention_mask")}
                         for i in indices])
        limit = max_length if max_length is not None else 2 * batch["input_ids"].size(1) + 10
        outputs = model.generate(**{k: v.to(device) for k, v in batch.items()}, start_token_id=tokenizer.cls_token_id,
                                 end_token_id=tokenizer.sep_token_id, num_beams=num_beams, max_length=limit,
                                 length_penalty=length_penalty)
        for i, ids in zip(indices, outputs):
            texts[i] = detokenize(tokenizer, ids)
    return texts


def evaluate(model: BertEncoderDecoder, examples: Sequence[ParallelExample], features: Sequence[Mapping[str, Any]],
             batch_size: int = 32, *, tokenizer, num_beams: int = 1) -> dict[str, float]:
    """Corpus BLEU (sacrebleu, 0-100) of the translations: ``bleu`` against the references normalised
    as the tokenizer normalises text (`normalise_target`), ``bleu_original`` against them as written."""
    predictions = translate_features(model, tokenizer, features, batch_size, num_beams)
    references = [e.target for e in examples]
    return {"bleu": bleu(predictions, [normalise_target(tokenizer, r) for r in references]),
            "bleu_original": bleu(predictions, references)}


def predict(model: BertEncoderDecoder, tokenizer, texts: Sequence[str], num_beams: int = 4,
            max_length: int | None = None, length_penalty: float = 1.0, batch_size: int = 32) -> list[dict[str, str]]:
    """Translate raw sentences: ``[{"translation_text": ...}, ...]``."""
    examples = [ParallelExample(text, "") for text in texts]
    max_source = model.config.max_position_embeddings
    features = translation_features(examples, tokenizer, max_length=max_source, train=False)
    model.eval()
    translations = translate_features(model, tokenizer, features, batch_size, num_beams, max_length, length_penalty)
    return [{"translation_text": t} for t in translations]


def task_features(examples, tokenizer, max_length, label_names, train) -> Features:
    """`Task.features`: ``max_length`` cuts the source (the target: its default)."""
    return translation_features(examples, tokenizer, max_length, train=train)


def prepare_model(model: BertEncoderDecoder, train_features: Features, tokenizer: BertTokenizer) -> None:
    """`Task.prepare_model`: the decoder writes only the tokens of the training targets."""
    model.set_target_vocab(target_vocabulary(train_features, tokenizer))


def parameter_groups(model: BertEncoderDecoder, lr: float, weight_decay: float) -> list[dict[str, Any]]:
    """`Task.parameter_groups`: the new decoder at a higher rate than the pre-trained encoder."""
    return model.parameter_groups(lr, weight_decay)


def from_hf_row(row: dict, options: HFOptions) -> ParallelExample:
    """A row of HF's wmt / opus datasets: ``{"translation": {"en": ..., "fr": ...}}``."""
    pair = row["translation"]
    return ParallelExample(pair[options.source_lang], pair[options.target_lang], row.get("id"))


class TranslationPipeline(Pipeline):
    """``translate("where are the books ?")`` → ``{"translation_text": "ou sont les livres?"}`` (beam search;
    the uncased vocabulary writes lower case without accents)."""

    model_class = BertEncoderDecoder

    def predict(self, inputs: list, num_beams: int = 4, max_length: int | None = None,
                length_penalty: float = 1.0) -> list:
        self._check_texts(inputs)
        return predict(self.model, self.tokenizer, inputs, num_beams, max_length, length_penalty, self.batch_size)


TASK = Task(
    name="translation", help="English -> French, BERT encoder + Transformer decoder: TSV/JSONL pairs",
    pipeline=TranslationPipeline,
    model_class=BertEncoderDecoder, load=load_parallel, features=task_features, collator=translation_collator,
    evaluate=evaluate, metrics=("bleu", "bleu_original"), needs_tokenizer=True,
    parameter_groups=parameter_groups, prepare_model=prepare_model, from_hf_row=from_hf_row,
)
