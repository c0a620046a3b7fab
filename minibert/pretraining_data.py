"""Pre-training examples built as Google's ``create_pretraining_data.py`` builds them (lessons 07-08).

The original (github.com/google-research/bert, ``create_pretraining_data.py``) turns documents of
sentences into training instances in two steps, which this module keeps apart so that masks can also
be redrawn every epoch:

1. **Segments and next sentence prediction** (:func:`create_instances_from_document`). Sentences of a
   document are packed into a chunk until it reaches a target length; the chunk is split at a random
   sentence boundary into segment A and the true continuation B. Half of the time, B is replaced by text
   from a *different* document (label 1 = NotNext; 0 = IsNext), and the sentences not used are put back
   for the next chunk. The pair is trimmed to fit (:func:`truncate_seq_pair`) and framed as
   ``[CLS] A [SEP] B [SEP]``.
2. **Masked language modeling** (:func:`create_masked_lm_predictions`). As many tokens as 15% of the
   whole sequence (``[CLS]`` and ``[SEP]`` count, as in the original), at most ``max_predictions_per_seq``,
   are chosen among the non-special tokens; of those, 80% become ``[MASK]``, 10% a random token, 10% stay
   as they are. The model must predict the original token at every chosen position.

Everything works on token ids: documents are tokenized once (:func:`tokenize_documents`), with any
tokenizer that has ``tokenize``, ``convert_tokens_to_ids``, ``vocab`` and the special token ids
(minibert's ``BertTokenizer`` or transformers'). Randomness comes from ``random.Random(seed)``, so the
same seed gives the same examples everywhere.

Three deliberate differences from the original, each fixing a known weakness:

* The "random" document for NotNext is drawn among the *other* documents. The original tries 10 random
  draws and, if all ten hit the current document, silently uses it: a NotNext pair that is really next.
* The random replacement token is drawn among non-special tokens (the original may draw ``[CLS]`` or
  ``[unused12]``), and special tokens of any kind (``[UNK]``, ``[MASK]``, padding) are never candidates
  (the original skips only ``[CLS]`` and ``[SEP]``).
* With whole-word masking, the first word is taken even when it is longer than the budget (the original
  would skip it, and a sequence of long words could get no prediction at all: an MLM loss of NaN).

How many tokens are predicted is the original's count, ``min(max_predictions_per_seq, max(1,
round(len(tokens) * masked_lm_prob)))`` over the whole sequence, ``[CLS]`` and ``[SEP]`` included.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Sequence

import torch
from tqdm.auto import tqdm

from .heads import IGNORE_INDEX  # the label of a position the MLM loss skips

IS_NEXT, NOT_NEXT = 0, 1   # next_sentence_label, as in BERT
MIN_SEQ_LENGTH = 5         # [CLS] a [SEP] b [SEP]: one token on each side at least

TokenizedDocument = list[list[int]]   # a document: its sentences, each a list of token ids


# --------------------------------------------------------------------------------------------
# Tokenizing the corpus once
# --------------------------------------------------------------------------------------------

def tokenize_documents(documents: Sequence[Sequence[str]], tokenizer: Any,
                       show_progress: bool = False) -> list[TokenizedDocument]:
    """Each sentence -> its WordPiece ids. Empty sentences and documents are dropped, as in the original.

    At least two non-empty documents are needed: next sentence prediction draws its NotNext segments
    from another document.
    """
    tokenized = []
    for document in tqdm(documents, desc="tokenizing", unit="doc", disable=not show_progress):
        sentences = [tokenizer.convert_tokens_to_ids(tokenizer.tokenize(s)) for s in document]
        sentences = [ids for ids in sentences if ids]
        if sentences:
            tokenized.append(sentences)
    if len(tokenized) < 2:
        found = "no non-empty documents" if not tokenized else "only one non-empty document"
        raise ValueError(f"the corpus has {found}; next sentence prediction needs at least two documents "
                         "(one sentence per line, a blank line between documents)")
    return tokenized


# --------------------------------------------------------------------------------------------
# Step 1: segment pairs and next sentence prediction
# --------------------------------------------------------------------------------------------

@dataclass
class SegmentPair:
    """One NSP example before masking: ``[CLS] tokens_a [SEP] tokens_b [SEP]``."""

    tokens_a: list[int]
    tokens_b: list[int]
    next_sentence_label: int      # IS_NEXT (0) or NOT_NEXT (1)
    document_a: int               # index of the document A comes from
    document_b: int               # index of the document B comes from (== document_a when IsNext)

    def input_ids(self, cls_token_id: int, sep_token_id: int) -> list[int]:
        return [cls_token_id, *self.tokens_a, sep_token_id, *self.tokens_b, sep_token_id]

    def token_type_ids(self) -> list[int]:
        # Segment A is [CLS] A [SEP] (type 0); segment B is B [SEP] (type 1).
        return [0] * (len(self.tokens_a) + 2) + [1] * (len(self.tokens_b) + 1)


def truncate_seq_pair(tokens_a: list[int], tokens_b: list[int], max_num_tokens: int, rng: random.Random) -> None:
    """Trim the pair in place to at most ``max_num_tokens`` tokens in all, as the original does.

    One token at a time is removed from the longer segment (B when they are equal), from its front or its
    back with equal probability: always cutting the back would teach the model that sentences never end
    early, always cutting the front that they never start late.
    """
    while len(tokens_a) + len(tokens_b) > max_num_tokens:
        longer = tokens_a if len(tokens_a) > len(tokens_b) else tokens_b
        if rng.random() < 0.5:
            del longer[0]
        else:
            longer.pop()


def _other_document(n_documents: int, document_index: int, rng: random.Random) -> int:
    """A uniformly random document index different from ``document_index``."""
    # The original draws up to 10 times and keeps the last draw even if it is the same document; here
    # we draw among the n - 1 others directly, so NotNext can never be a sentence of the same document.
    index = rng.randrange(n_documents - 1)
    return index + 1 if index >= document_index else index


def create_instances_from_document(documents: Sequence[TokenizedDocument], document_index: int,
                                   max_seq_length: int, short_seq_prob: float,
                                   rng: random.Random) -> list[SegmentPair]:
    """The segment pairs of one document, following the original line by line."""
    check_lengths(max_seq_length)
    document = documents[document_index]
    # Three places are taken by [CLS], [SEP], [SEP].
    max_num_tokens = max_seq_length - 3
    # Usually fill the sequence, to waste no computation on padding. But with probability short_seq_prob,
    # aim for a shorter random length, so that the model also sees short sequences (as in fine-tuning).
    # The target is only a target: sentences are not cut to reach it, the pair is truncated afterwards.
    target_seq_length = max_num_tokens
    if rng.random() < short_seq_prob:
        target_seq_length = rng.randint(2, max_num_tokens)

    pairs: list[SegmentPair] = []
    current_chunk: list[list[int]] = []   # the sentences gathered for the next pair
    current_length = 0
    i = 0
    # Segments are whole sentences, not arbitrary token spans, so that NSP is about real sentence
    # boundaries. Sentences are gathered until the target length is reached or the document ends.
    while i < len(document):
        current_chunk.append(document[i])
        current_length += len(document[i])
        if i == len(document) - 1 or current_length >= target_seq_length:
            # a_end: how many sentences of the chunk go into A; at least one, leaving one for B if possible.
            a_end = rng.randint(1, len(current_chunk) - 1) if len(current_chunk) >= 2 else 1
            tokens_a = [token for sentence in current_chunk[:a_end] for token in sentence]

            # A one-sentence chunk has no true continuation, so it always gets a random B.
            if len(current_chunk) == 1 or rng.random() < 0.5:
                label = NOT_NEXT
                document_b = _other_document(len(documents), document_index, rng)
                random_document = documents[document_b]
                # B starts at a random sentence and takes sentences until it fills the rest of the target.
                target_b_length = target_seq_length - len(tokens_a)
                random_start = rng.randint(0, len(random_document) - 1)
                tokens_b = []
                for sentence in random_document[random_start:]:
                    tokens_b.extend(sentence)
                    if len(tokens_b) >= target_b_length:
                        break
                # The sentences of the chunk after A were not used: "put them back" by stepping i back, so
                # they start the next chunk instead of being wasted.
                i -= len(current_chunk) - a_end
            else:
                label = IS_NEXT
                document_b = document_index
                tokens_b = [token for sentence in current_chunk[a_end:] for token in sentence]

            truncate_seq_pair(tokens_a, tokens_b, max_num_tokens, rng)
            pairs.append(SegmentPair(tokens_a, tokens_b, label, document_index, document_b))
            current_chunk = []
            current_length = 0
        i += 1
    return pairs


def create_segment_pairs(documents: Sequence[TokenizedDocument], max_seq_length: int = 128,
                         short_seq_prob: float = 0.1, dupe_factor: int = 1, seed: int = 12345,
                         show_progress: bool = False) -> list[SegmentPair]:
    """Segment pairs of the whole corpus: ``dupe_factor`` passes over all documents, then a shuffle.

    Each pass draws different chunk boundaries, split points and random documents, so the passes give
    different pairs of the same text.
    """
    if len(documents) < 2:
        raise ValueError(f"next sentence prediction needs at least two documents, got {len(documents)}")
    if dupe_factor < 1:
        raise ValueError(f"dupe_factor must be at least 1, got {dupe_factor}")
    rng = random.Random(seed)
    pairs = []
    for _ in tqdm(range(dupe_factor), desc="segment pairs", disable=not show_progress):
        for document_index in range(len(documents)):
            pairs += create_instances_from_document(documents, document_index, max_seq_length,
                                                    short_seq_prob, rng)
    rng.shuffle(pairs)   # the original shuffles too: consecutive pairs would otherwise share a document
    return pairs


def check_lengths(max_seq_length: int) -> None:
    if max_seq_length < MIN_SEQ_LENGTH:
        raise ValueError(f"max_seq_length={max_seq_length} is too small: [CLS] A [SEP] B [SEP] needs at least "
                         f"{MIN_SEQ_LENGTH} tokens")


# --------------------------------------------------------------------------------------------
# Step 2: masked language modeling
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MaskingVocab:
    """What masking needs to know about the vocabulary, as sets of ids."""

    mask_token_id: int
    special_ids: frozenset[int]       # never chosen for prediction ([CLS], [SEP], [PAD], [UNK], [MASK])
    random_ids: tuple[int, ...]       # replacement tokens: every id but the special and [unusedN] ones
    continuation_ids: frozenset[int]  # "##" pieces, which continue the word before them

    @classmethod
    def from_tokenizer(cls, tokenizer: Any) -> "MaskingVocab":
        vocab: dict[str, int] = tokenizer.vocab
        special = frozenset(tokenizer.all_special_ids)
        random_ids = tuple(sorted(i for token, i in vocab.items()
                                  if i not in special and not token.startswith("[unused")))
        if not random_ids:
            raise ValueError("the vocabulary has no ordinary tokens to draw random replacements from")
        return cls(tokenizer.mask_token_id, special, random_ids,
                   frozenset(i for token, i in vocab.items() if token.startswith("##")))


def create_masked_lm_predictions(input_ids: Sequence[int], vocab: MaskingVocab, rng: random.Random,
                                 masked_lm_prob: float = 0.15, max_predictions_per_seq: int = 20,
                                 whole_word_mask: bool = False) -> tuple[list[int], list[int]]:
    """Mask a sequence: returns ``(masked input_ids, labels)``, labels -100 where nothing is predicted.

    ``input_ids`` is one unpadded sequence (``[CLS] A [SEP] B [SEP]``): the number of predictions is
    ``masked_lm_prob`` times its length, special tokens included, as in the original. Labels hold the
    *original* ids at chosen positions, whatever the input shows there.
    """
    # Candidates: every position but special tokens ([CLS], [SEP], padding...). With whole-word masking a
    # candidate is a whole word: a start piece and the "##" pieces that follow it, masked together.
    candidates: list[list[int]] = []
    for position, token in enumerate(input_ids):
        if token in vocab.special_ids:
            continue
        if whole_word_mask and candidates and token in vocab.continuation_ids \
                and candidates[-1][-1] == position - 1:
            candidates[-1].append(position)
        else:
            candidates.append([position])
    rng.shuffle(candidates)

    # Google's count: 15% of the WHOLE sequence, [CLS] and [SEP] included (only the candidates leave them out).
    # Python 3's round() is the original's int(round(...)) under Python 3: halves go to the even number.
    num_to_predict = min(max_predictions_per_seq, max(1, round(len(input_ids) * masked_lm_prob)))
    masked = list(input_ids)
    labels = [IGNORE_INDEX] * len(input_ids)
    n_predicted = 0
    for word in candidates:
        if n_predicted >= num_to_predict:
            break
        # A whole word that would overshoot the budget is skipped, not cut, as in the original. Unlike the
        # original, the first word is taken anyway (up to max_predictions_per_seq): with whole-word masking
        # and a budget of one token, a sequence of two-piece words would otherwise get no prediction at
        # all, and a batch of such sequences an MLM loss of NaN (a mean over nothing).
        too_long = n_predicted + len(word) > num_to_predict
        if too_long and (n_predicted > 0 or len(word) > max_predictions_per_seq):
            continue
        for position in word:
            labels[position] = input_ids[position]
            # 80%: [MASK]. 10%: keep the token, so the model cannot assume an unmasked token is correct
            # (at fine-tuning time there is no [MASK]). 10%: a random token, so it must check every token.
            if rng.random() < 0.8:
                masked[position] = vocab.mask_token_id
            elif rng.random() < 0.5:
                masked[position] = input_ids[position]
            else:
                masked[position] = rng.choice(vocab.random_ids)
            n_predicted += 1
    return masked, labels


# --------------------------------------------------------------------------------------------
# Datasets and batches
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MaskingConfig:
    masked_lm_prob: float = 0.15
    max_predictions_per_seq: int = 20
    whole_word_mask: bool = False

    def __post_init__(self) -> None:
        if not 0 < self.masked_lm_prob <= 1:
            raise ValueError(f"masked_lm_prob must be in (0, 1], got {self.masked_lm_prob}")
        if self.max_predictions_per_seq < 1:
            raise ValueError(f"max_predictions_per_seq must be at least 1, got {self.max_predictions_per_seq}")


class PretrainingDataset(torch.utils.data.Dataset):
    """MLM + NSP examples from segment pairs, with static or dynamic masks.

    * Static (``dynamic=False``, the original): each pair is masked once, here, with the dataset's seed.
      For several masks of the same text, build the pairs with ``dupe_factor`` > 1.
    * Dynamic (``dynamic=True``, as in RoBERTa): the mask is drawn when an example is read, from a seed
      made of (seed, epoch, index). Call :meth:`set_epoch` at the start of each epoch to get new masks;
      reading the same example twice in one epoch gives the same mask, so runs are reproducible.

    An example is a dict of lists: ``input_ids``, ``token_type_ids``, ``labels``, ``next_sentence_label``;
    :class:`PretrainingCollator` pads a list of them into tensors.
    """

    def __init__(self, pairs: Sequence[SegmentPair], tokenizer: Any, masking: MaskingConfig = MaskingConfig(),
                 dynamic: bool = False, seed: int = 12345):
        if not pairs:
            raise ValueError("no segment pairs: the corpus is empty")
        self.pairs = list(pairs)
        self.cls_token_id, self.sep_token_id = tokenizer.cls_token_id, tokenizer.sep_token_id
        self.vocab = MaskingVocab.from_tokenizer(tokenizer)
        self.masking = masking
        self.dynamic = dynamic
        self.seed = seed
        self.epoch = 0
        rng = random.Random(seed)
        self._static = None if dynamic else [self._mask(index, rng) for index in range(len(self.pairs))]

    def set_epoch(self, epoch: int) -> None:
        """Dynamic masks: draw this epoch's masks. (No effect on static masks.)"""
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.pairs)

    def __getitem__(self, index: int) -> dict[str, list[int] | int]:
        if self._static is not None:
            return self._static[index]
        # A string seed is hashed with SHA-512 by random.Random: stable across runs and machines.
        return self._mask(index, random.Random(f"{self.seed}:{self.epoch}:{index}"))

    def _mask(self, index: int, rng: random.Random) -> dict[str, list[int] | int]:
        pair = self.pairs[index]
        input_ids, labels = create_masked_lm_predictions(
            pair.input_ids(self.cls_token_id, self.sep_token_id), self.vocab, rng,
            self.masking.masked_lm_prob, self.masking.max_predictions_per_seq, self.masking.whole_word_mask)
        return {"input_ids": input_ids, "token_type_ids": pair.token_type_ids(), "labels": labels,
                "next_sentence_label": pair.next_sentence_label}


@dataclass
class PretrainingCollator:
    """Pads a list of examples to the longest one in the batch and makes tensors.

    Padding: ``input_ids`` with ``pad_token_id``, ``token_type_ids`` with 0, ``attention_mask`` 1 on real
    tokens and 0 on padding, ``labels`` with -100 (the loss never sees padding). ``next_sentence_label``
    is a ``long`` tensor of shape ``(B,)``, so the NSP loss receives it.

    ``pad_to_multiple_of`` rounds the length up (8 on a GPU: tensor cores like multiples of 8, and a compiled
    model or CUDA graph sees at most ``max_seq_length / 8`` shapes instead of one per length).
    """

    pad_token_id: int = 0
    pad_to_multiple_of: int = 1

    def __post_init__(self) -> None:
        if self.pad_to_multiple_of < 1:
            raise ValueError(f"pad_to_multiple_of must be 1 or more, got {self.pad_to_multiple_of}")

    def __call__(self, examples: Sequence[dict[str, Any]]) -> dict[str, torch.Tensor]:
        if not examples:
            raise ValueError("cannot collate an empty batch")
        longest = max(len(e["input_ids"]) for e in examples)
        length = -(-longest // self.pad_to_multiple_of) * self.pad_to_multiple_of  # rounded up

        def padded(key: str, value: int) -> torch.Tensor:
            return torch.tensor([e[key] + [value] * (length - len(e[key])) for e in examples], dtype=torch.long)

        return {
            "input_ids": padded("input_ids", self.pad_token_id),                                   # (B, T)
            "token_type_ids": padded("token_type_ids", 0),                                         # (B, T)
            "attention_mask": torch.tensor([[1] * len(e["input_ids"]) + [0] * (length - len(e["input_ids"]))
                                            for e in examples], dtype=torch.long),                 # (B, T)
            "labels": padded("labels", IGNORE_INDEX),                                              # (B, T)
            "next_sentence_label": torch.tensor([e["next_sentence_label"] for e in examples],
                                                dtype=torch.long),                                 # (B,)
        }


def build_pretraining_dataset(documents: Sequence[Sequence[str]], tokenizer: Any, max_seq_length: int = 128,
                              short_seq_prob: float = 0.1, masked_lm_prob: float = 0.15,
                              max_predictions_per_seq: int = 20, dupe_factor: int = 1,
                              whole_word_mask: bool = False, dynamic_masking: bool = False, seed: int = 12345,
                              show_progress: bool = False) -> PretrainingDataset:
    """From documents of sentences to a dataset of MLM + NSP examples, with the original's parameters.

    ``documents`` is what ``minibert.corpus`` reads (``course_corpus()``, ``read_documents(path)``...).
    Batch it with ``DataLoader(dataset, batch_size, collate_fn=PretrainingCollator(tokenizer.pad_token_id))``.
    """
    check_lengths(max_seq_length)
    if not 0 <= short_seq_prob <= 1:
        raise ValueError(f"short_seq_prob must be in [0, 1], got {short_seq_prob}")
    masking = MaskingConfig(masked_lm_prob, max_predictions_per_seq, whole_word_mask)
    tokenized = tokenize_documents(documents, tokenizer, show_progress)
    # Shuffle the documents first, as the original does, so nearby documents of a corpus do not stay together.
    random.Random(seed).shuffle(tokenized)
    pairs = create_segment_pairs(tokenized, max_seq_length, short_seq_prob, dupe_factor, seed, show_progress)
    return PretrainingDataset(pairs, tokenizer, masking, dynamic=dynamic_masking, seed=seed)
