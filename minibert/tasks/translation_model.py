"""BERT as the encoder of an encoder-decoder (Vaswani et al. 2017, with a pre-trained encoder): the model of
the translation task (`minibert.tasks.translation`: its data, decoding into text, scores and pipeline).

Why BERT alone does not write text
----------------------------------
BERT reads: every token attends to every other, left AND right, and the whole input is given at once.
Writing is a different job: produce token t+1 from tokens 1..t only, one after another. Two things are
missing from BERT for that:

1. no causal mask: a BERT trained to predict the next word would simply look at it (it sees the right
   context), so it would learn nothing it could use when the right context does not exist yet;
2. no decoder: its outputs are one vector per INPUT position, so it cannot produce an output of a
   different length, and it has no way to condition one text (the French) on another (the English)
   other than concatenating them.

(Masked-LM "generation" by filling [MASK]s one at a time exists, but it is slow and poor; lesson 14 shows
it.) So we keep BERT for what it is good at, understanding the source, and add a small decoder:

    source ids (B, S) -> BERT encoder -> memory (B, S, H)
    target prefix (B, T) -> embeddings -> N x [causal self-attention -> cross-attention to memory -> FFN]
                         -> logits over the vocabulary (B, T, V)

Each decoder layer is post-LayerNorm like BERT's: x = LN(x + Dropout(sublayer(x))), three times.
The self-attention is causal: position t sees positions <= t. The cross-attention's queries come from
the target, its keys and values from the encoder's memory: this is where the source enters.

The target vocabulary is BERT's own WordPiece vocabulary: French words are split into pieces ("carotte"
-> "car ##otte"). It is the simplest honest choice, and it lets the decoder share the encoder's word
embedding matrix, which also scores the outputs (three-way tying, Press & Wolf 2017): no new V x H
table. [CLS] starts every target and [SEP] ends it. Training is teacher-forced: the decoder reads the gold
prefix ``[CLS] y1 .. yn`` and is trained to predict ``y1 .. yn [SEP]`` with cross-entropy, all positions
at once (the causal mask keeps that honest). Decoding is greedy or beam search (`generate`).
"""
from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from minibert.attention import padding_mask
from minibert.config import BertConfig
from minibert.encoder import AddNorm, BertAttention, BertIntermediate
from minibert.files import atomic_write_text
from minibert.heads import IGNORE_INDEX, BertLMPredictionHead
from minibert.hub import resolve_model_dir
from minibert.modeling import BertModel, BertPreTrainedModel, compute_dtype
from minibert.outputs import ModelOutput
from minibert.optim import decay_parameter_names
from minibert.weights import load_weights

DECODER_CONFIG_NAME = "decoder_config.json"
DEFAULT_DECODER = dict(num_hidden_layers=2, max_position_embeddings=128)  # the rest: as the encoder
TARGET_VOCAB_KEY = "target_vocab"  # decoder_config.extra[...]: the ids the decoder may write (see set_target_vocab)


# ---------------------------------------------------------------------------------------------------
# The decoder


def causal_mask(T: int, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """Additive (1, 1, T, T) mask: 0 where key <= query, very negative above the diagonal (the future)."""
    future = torch.ones(T, T, dtype=torch.bool, device=device).triu(1)  # True strictly above the diagonal
    return torch.zeros(T, T, dtype=dtype, device=device).masked_fill(future, torch.finfo(dtype).min)[None, None]


class DecoderLayer(nn.Module):
    """Causal self-attention, cross-attention, feed-forward; each followed by add & LayerNorm (post-LN)."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.attention = BertAttention(config)  # BERT's self-attention block; a causal mask makes it look back only
        self.crossattention = BertAttention(config)  # the same block, reading the encoder's vectors
        self.intermediate = BertIntermediate(config)
        self.output = AddNorm(config, config.intermediate_size)

    def forward(self, x: torch.Tensor, self_mask: torch.Tensor, memory: torch.Tensor,
                memory_mask: torch.Tensor | None) -> torch.Tensor:
        a, _ = self.attention(x, self_mask, False)  # LN(x + SelfAttn(x)), position t sees <= t: (B, T, H)
        c, _ = self.crossattention(a, memory_mask, encoder_hidden_states=memory)  # LN(a + CrossAttn(a, m)): (B, T, H)
        return self.output(self.intermediate(c), c)  # LN(c + FFN(c)): (B, T, H)


class TransformerDecoder(nn.Module):
    """Target embeddings (the shared word table + the decoder's own positions) and N decoder layers."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        self.layers = nn.ModuleList(DecoderLayer(config) for _ in range(config.num_hidden_layers))
        self.max_positions = config.max_position_embeddings

    def forward(self, word_vectors: torch.Tensor, memory: torch.Tensor, memory_mask: torch.Tensor | None
                ) -> torch.Tensor:
        T = word_vectors.size(1)
        if T > self.max_positions:
            raise ValueError(f"target length {T} is longer than the decoder's max_position_embeddings "
                             f"({self.max_positions}): truncate the targets or generate fewer tokens")
        x = self.dropout(self.LayerNorm(word_vectors + self.position_embeddings.weight[:T]))  # (B, T, H)
        self_mask = causal_mask(T, compute_dtype(x), x.device)  # (1, 1, T, T)
        for layer in self.layers:
            x = layer(x, self_mask, memory, memory_mask)  # (B, T, H)
        return x


@dataclass
class Seq2SeqLMOutput(ModelOutput):
    loss: torch.Tensor | None = None  # mean cross-entropy over the target tokens (labels != -100)
    logits: torch.Tensor | None = None  # (B, T, K): scores of the next target token (K = V, or the target vocabulary)
    encoder_last_hidden_state: torch.Tensor | None = None  # (B, S, H): the memory the decoder read


class BertEncoderDecoder(BertPreTrainedModel):
    """A BERT encoder (``self.bert``, loadable from MiniLM or the course model) + a Transformer decoder.

    ``config`` is the encoder's BertConfig. ``decoder_config`` is a BertConfig too (only the fields a layer
    uses matter: layers, heads, intermediate size, max positions, dropout); by default the encoder's with
    2 layers and 128 positions. Its hidden size and vocabulary must be the encoder's: the word table is
    shared, and cross-attention reads the encoder's vectors.

    ``target_vocab``: the token ids the decoder may write (`minibert.tasks.translation.target_vocabulary`
    collects them from the training targets; `set_target_vocab` sets them later), or None for all V. Scoring
    a French sentence against the 30,522 rows of an English vocabulary wastes most of the output layer's time
    on words it never needs: the targets of a small corpus use a small fraction of them. With a target vocabulary the logits have one
    column per id in it (K), the softmax is over K, and decoding maps the winning column back to its id.
    It is kept in ``decoder_config.extra["target_vocab"]``, so it is saved and loaded with the model.
    (Machine translation systems call this a vocabulary shortlist; Jean et al. 2015.)
    """

    def __init__(self, config: BertConfig, decoder_config: BertConfig | None = None,
                 target_vocab: Sequence[int] | None = None) -> None:
        super().__init__(config)
        decoder_config = decoder_config or dataclasses.replace(config, **DEFAULT_DECODER)
        for name in ("hidden_size", "vocab_size"):
            if getattr(decoder_config, name) != getattr(config, name):
                raise ValueError(f"decoder_config.{name} ({getattr(decoder_config, name)}) must equal the "
                                 f"encoder's ({getattr(config, name)}): the decoder shares its word table")
        self.decoder_config = decoder_config
        self.bert = BertModel(config, add_pooling_layer=False)
        self.decoder = TransformerDecoder(decoder_config)
        # BERT's MLM head scores the outputs: transform (dense, GELU, LayerNorm), then the tied table, plus
        # its own bias. The transform matters: the decoder's last LayerNorm outputs vectors of length about
        # sqrt(H) that still resemble the input word's embedding (the residual stream), and pre-trained word
        # vectors are much shorter. Scored straight against the table, the input word itself gets a logit far
        # above every other word's: an untrained model "copies" its input with high confidence (a first loss
        # far above ln V) and spends its first steps unlearning it.
        self.lm_head = BertLMPredictionHead(decoder_config)
        self.register_buffer("target_ids", None, persistent=False)  # (K,) or None: set by set_target_vocab
        self.set_target_vocab(target_vocab if target_vocab is not None else decoder_config.extra.get(TARGET_VOCAB_KEY))
        self.post_init()

    def set_target_vocab(self, ids: Sequence[int] | None) -> None:
        """Let the decoder write only ``ids`` (None: any of the V tokens); recorded in ``decoder_config``.
        Fine-tuning calls it once the training targets are known (the translation task's ``prepare_model``)."""
        extra = {k: v for k, v in self.decoder_config.extra.items() if k != TARGET_VOCAB_KEY}
        if ids is not None:
            ids = sorted(set(map(int, ids)))
            if not ids or ids[0] < 0 or ids[-1] >= self.config.vocab_size:
                raise ValueError(f"target_vocab must be a non-empty list of token ids in [0, {self.config.vocab_size})")
            extra[TARGET_VOCAB_KEY] = ids
        self.decoder_config = dataclasses.replace(self.decoder_config, extra=extra)
        self.target_ids = None if ids is None else torch.tensor(ids, device=self.lm_head.bias.device)  # (K,)

    @property
    def word_embeddings(self) -> nn.Embedding:
        return self.bert.embeddings.word_embeddings  # (V, H): reads source and target, scores the output

    def column_to_id(self, columns: torch.Tensor) -> torch.Tensor:
        """Token ids of logit columns (the same numbers without a target vocabulary)."""
        return columns if self.target_ids is None else self.target_ids[columns]

    def id_to_column(self, ids: torch.Tensor) -> torch.Tensor:
        """Logit columns of token ids (labels); -100 stays -100. An id outside the target vocabulary is an error."""
        if self.target_ids is None:
            return ids
        lookup = torch.full((self.config.vocab_size,), -1, dtype=torch.long, device=ids.device)
        lookup[self.target_ids] = torch.arange(len(self.target_ids), device=ids.device)  # id -> column
        real = ids != IGNORE_INDEX
        columns = torch.where(real, lookup[ids.clamp(min=0)], ids)
        unknown = real & (columns < 0)
        if unknown.any():
            raise ValueError(f"label ids {sorted(set(ids[unknown].tolist()))[:10]} are not in the decoder's "
                             f"target vocabulary ({len(self.target_ids)} ids): build it from these targets")
        return columns

    def encode(self, input_ids: torch.Tensor, token_type_ids: torch.Tensor | None = None,
               attention_mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The encoder's memory (B, S, H) and its additive padding mask (B, 1, 1, S) (None without one)."""
        memory = self.bert(input_ids, token_type_ids=token_type_ids, attention_mask=attention_mask).last_hidden_state
        mask = None if attention_mask is None else padding_mask(attention_mask, compute_dtype(memory))
        return memory, mask

    def decode(self, decoder_input_ids: torch.Tensor, memory: torch.Tensor, memory_mask: torch.Tensor | None,
               last_only: bool = False) -> torch.Tensor:
        """Next-token logits (B, T, K) for each prefix of ``decoder_input_ids`` (B, T); with ``last_only``,
        only for the whole prefix (B, K): generation needs no more, and the vocabulary projection is the
        biggest matmul. K is V, or the size of the target vocabulary (`column_to_id` maps back)."""
        h = self.decoder(self.word_embeddings(decoder_input_ids), memory, memory_mask)  # (B, T, H)
        if last_only:
            h = h[:, -1]  # (B, H)
        weight, bias = self.word_embeddings.weight, self.lm_head.bias  # (V, H), (V,)
        if self.target_ids is not None:
            weight, bias = weight[self.target_ids], bias[self.target_ids]  # only the rows it may write: (K, H), (K,)
        return F.linear(self.lm_head.transform(h), weight, bias)  # tied output: transform(h) E^T + b, (B, [T,] K)

    def forward(
        self,
        input_ids: torch.Tensor,
        *,
        decoder_input_ids: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
    ) -> Seq2SeqLMOutput:
        """input_ids (B, S): the source; decoder_input_ids (B, T): ``[CLS] y1 .. yn`` (padded on the right);
        labels (B, T): ``y1 .. yn [SEP]``, -100 at padding.

        No decoder padding mask is needed: padding is on the right, and the causal mask already keeps
        every real position from looking at the positions after it, padding included.
        """
        memory, memory_mask = self.encode(input_ids, token_type_ids, attention_mask)
        logits = self.decode(decoder_input_ids, memory, memory_mask)  # (B, T, K)
        loss = None
        if labels is not None:
            if labels.shape != decoder_input_ids.shape:
                raise ValueError(f"labels {tuple(labels.shape)} must have the shape of decoder_input_ids "
                                 f"{tuple(decoder_input_ids.shape)} (labels = decoder_input_ids shifted by one)")
            targets = self.id_to_column(labels)  # token ids -> logit columns: (B, T)
            loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)).float(), targets.reshape(-1),
                                   ignore_index=IGNORE_INDEX)
        return Seq2SeqLMOutput(loss=loss, logits=logits, encoder_last_hidden_state=memory)

    def parameter_groups(self, lr: float, weight_decay: float = 0.01, decoder_lr: float | None = None
                         ) -> list[dict[str, Any]]:
        """AdamW parameter groups: the pre-trained encoder (``bert.*``, the shared word table included) at
        ``lr``, everything new (decoder, output head) at ``decoder_lr`` (default ``10 * lr``); weight
        decay on matrices only, as for BERT (`minibert.optim.decay_parameter_names`).

        Why two rates: a rate small enough not to wreck what the encoder knows (5e-5 .. 1e-4) is far too
        small for a decoder that starts from random weights, and a rate the decoder likes (1e-3) wrecks
        the encoder. Fine-tuning uses these groups (the translation task's ``parameter_groups``).
        """
        decoder_lr = 10 * lr if decoder_lr is None else decoder_lr
        decay = decay_parameter_names(self)
        groups: dict[tuple[float, float], list[nn.Parameter]] = {}
        for name, param in self.named_parameters():
            if param.requires_grad:
                key = (lr if name.startswith("bert.") else decoder_lr, weight_decay if name in decay else 0.0)
                groups.setdefault(key, []).append(param)
        return [{"params": params, "lr": group_lr, "weight_decay": wd} for (group_lr, wd), params in groups.items()]

    # --- loading and saving ---------------------------------------------------------------------------

    @classmethod
    def from_pretrained(cls, path_or_name: str | os.PathLike, config: BertConfig | None = None,
                        decoder_config: BertConfig | None = None, target_vocab: Sequence[int] | None = None,
                        **config_overrides: Any) -> BertEncoderDecoder:
        """A saved BertEncoderDecoder (with its ``decoder_config.json``, target vocabulary included), or any
        BERT checkpoint ("minilm", a pre-training output): then the encoder is loaded and the decoder is new
        (a warning lists it)."""
        directory = resolve_model_dir(path_or_name)
        config = config if config is not None else BertConfig.from_pretrained(directory)
        if config_overrides:
            config = dataclasses.replace(config, **config_overrides)
        if decoder_config is None and (directory / DECODER_CONFIG_NAME).is_file():
            decoder_config = BertConfig.from_json_file(directory / DECODER_CONFIG_NAME)
        model = cls(config, decoder_config, target_vocab)
        load_weights(model, directory)
        return model.eval()

    def save_pretrained(self, directory: str | os.PathLike) -> Path:
        """config.json (the encoder's), decoder_config.json and model.safetensors."""
        directory = super().save_pretrained(directory)
        atomic_write_text(directory / DECODER_CONFIG_NAME, json.dumps(self.decoder_config.to_dict(), indent=2) + "\n")
        return directory

    # --- decoding -------------------------------------------------------------------------------------

    def _max_new_tokens(self, max_length: int | None) -> int:
        limit = self.decoder_config.max_position_embeddings  # the prefix fed back includes [CLS]
        return limit if max_length is None else min(max_length, limit)

    @torch.no_grad()
    def generate(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None,
                 token_type_ids: torch.Tensor | None = None, *, start_token_id: int, end_token_id: int,
                 num_beams: int = 1, max_length: int | None = None, length_penalty: float = 1.0) -> list[list[int]]:
        """Translate each source: the generated ids, ending with ``end_token_id`` (or cut at ``max_length``
        tokens, at most the decoder's max_position_embeddings).

        Every target starts with ``start_token_id`` and ends with ``end_token_id``: the tokenizer's [CLS]
        and [SEP], as in training (`translation_features`). ``num_beams=1`` is greedy decoding; more is
        beam search (`beam_search`). No key/value cache: each step re-reads the whole prefix, which is
        simple and fast enough for short sentences.
        """
        max_new = self._max_new_tokens(max_length)
        memory, memory_mask = self.encode(input_ids, token_type_ids, attention_mask)
        if num_beams > 1:
            return [self.beam_search(memory[i:i + 1], None if memory_mask is None else memory_mask[i:i + 1],
                                     start_token_id, end_token_id, num_beams, max_new, length_penalty)
                    for i in range(len(input_ids))]
        return self.greedy_search(memory, memory_mask, start_token_id, end_token_id, max_new)

    def greedy_search(self, memory: torch.Tensor, memory_mask: torch.Tensor | None, start_token_id: int,
                      end_token_id: int, max_new: int) -> list[list[int]]:
        """Take the most likely token at every step, for the whole batch at once, until each row has
        written [SEP] or ``max_new`` tokens."""
        B = memory.size(0)
        prefix = torch.full((B, 1), start_token_id, dtype=torch.long, device=memory.device)  # (B, 1)
        done = torch.zeros(B, dtype=torch.bool, device=memory.device)
        for _ in range(max_new):
            next_ids = self.column_to_id(self.decode(prefix, memory, memory_mask, last_only=True).argmax(-1))  # (B,)
            next_ids = next_ids.masked_fill(done, self.config.pad_token_id)  # finished rows write padding
            prefix = torch.cat([prefix, next_ids[:, None]], dim=1)  # (B, t + 1)
            done |= next_ids == end_token_id
            if done.all():
                break
        return [_cut_at_end(row[1:].tolist(), end_token_id) for row in prefix]

    def beam_search(self, memory: torch.Tensor, memory_mask: torch.Tensor | None, start_token_id: int,
                    end_token_id: int, num_beams: int, max_new: int, length_penalty: float = 1.0) -> list[int]:
        """Keep the ``num_beams`` best prefixes (by summed log-probability) of ONE source (memory (1, S, H)).

        At each step every live prefix is extended by every token; of the best 2k extensions, those that
        end in [SEP] become finished hypotheses and the best k others live on. It stops when k hypotheses
        are finished or after ``max_new`` tokens (the live prefixes then count as hypotheses). The winner
        has the best score / length ** length_penalty (> 1 favours longer outputs, < 1 shorter ones).
        """
        device = memory.device
        beams = torch.full((1, 1), start_token_id, dtype=torch.long, device=device)  # (k, t), k = 1 at first
        scores = torch.zeros(1, device=device)  # summed log-probabilities of each live prefix: (k,)
        finished: list[tuple[float, list[int]]] = []

        def normalised(score: float, length: int) -> float:
            return score / (length ** length_penalty)

        for step in range(1, max_new + 1):
            k = beams.size(0)
            mask = None if memory_mask is None else memory_mask.expand(k, -1, -1, -1)
            logits = self.decode(beams, memory.expand(k, -1, -1), mask, last_only=True)  # (k, K)
            candidates = (scores[:, None] + logits.float().log_softmax(-1)).view(-1)  # (k * K,)
            top_scores, top_index = candidates.topk(min(2 * num_beams, candidates.numel()))
            K = logits.size(-1)
            rows, tokens = top_index // K, self.column_to_id(top_index % K)  # which prefix, which next token
            keep_rows, keep_tokens, keep_scores = [], [], []
            for score, row, token in zip(top_scores.tolist(), rows.tolist(), tokens.tolist()):
                if token == end_token_id:
                    finished.append((normalised(score, step), beams[row, 1:].tolist() + [token]))
                else:
                    keep_rows.append(row)
                    keep_tokens.append(token)
                    keep_scores.append(score)
                if len(finished) >= num_beams or len(keep_rows) == num_beams:
                    break
            if len(finished) >= num_beams:
                break
            beams = torch.cat([beams[keep_rows], torch.tensor(keep_tokens, device=device)[:, None]], dim=1)
            scores = torch.tensor(keep_scores, device=device)
        else:  # max_new tokens written: the live prefixes compete too
            finished += [(normalised(s, max_new), b[1:]) for s, b in zip(scores.tolist(), beams.tolist())]
        return max(finished, key=lambda hypothesis: hypothesis[0])[1]


def _cut_at_end(ids: list[int], end_id: int) -> list[int]:
    """Ids up to and including the first ``end_id`` (the rest is padding after the end)."""
    return ids[:ids.index(end_id) + 1] if end_id in ids else ids
