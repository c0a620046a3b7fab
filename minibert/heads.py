"""Task heads: the small layers that turn BERT's vectors into predictions (lessons 07-13).

    token-level heads read last_hidden_state (B, T, H): masked LM, token classification, QA spans
    sequence-level heads read pooler_output (B, H):     next sentence, sequence classification, choice

Every head keeps its encoder in ``self.bert`` and names its layers as Google's checkpoints do
(``cls.predictions``, ``cls.seq_relationship``, ``classifier``, ``qa_outputs``), so a checkpoint of
any of them loads into any other: the shared encoder is reused, a new head is initialised.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .config import BertConfig
from .encoder import ACTIVATIONS
from .modeling import BertModel, BertPreTrainedModel
from .outputs import (
    BertForPreTrainingOutput,
    MaskedLMOutput,
    MultipleChoiceModelOutput,
    NextSentencePredictorOutput,
    QuestionAnsweringModelOutput,
    SequenceClassifierOutput,
    TokenClassifierOutput,
)

IGNORE_INDEX = -100  # label of positions the loss skips: unmasked tokens (MLM), padding and ## pieces (NER)


class BertPredictionHeadTransform(nn.Module):
    """LayerNorm(GELU(h W + b)): one more non-linear step before scoring words."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.act = ACTIVATIONS[config.hidden_act]
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.act(self.dense(h)))  # (..., H)


class BertLMPredictionHead(nn.Module):
    """Masked-LM head: transform each vector, then score it against every word of the vocabulary.

        logits = transform(h) E^T + bias        # E: the word-embedding matrix (V, H)

    The decoder is TIED to the input embeddings: the same matrix E reads words in and scores
    them out (Press & Wolf 2017), which saves V x H parameters. Only the bias is the head's own.
    So the head holds no decoder matrix; the model passes E in.
    """

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.transform = BertPredictionHeadTransform(config)
        self.bias = nn.Parameter(torch.zeros(config.vocab_size))

    def forward(self, h: torch.Tensor, word_embeddings: torch.Tensor) -> torch.Tensor:
        return F.linear(self.transform(h), word_embeddings, self.bias)  # transform(h) E^T + bias: (..., V)


def token_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy over the positions whose label is not -100. logits (..., n), labels (...).

    Only the labelled rows go through the softmax: in masked LM 85% of the positions have no label, and
    a (B·T, V) log-softmax over them would be wasted work (``ignore_index`` computes, then drops it).
    Inside a compiled graph the same loss is taken with ``ignore_index``: selecting the labelled rows gives
    a tensor whose size depends on the data, which a graph of fixed shapes cannot hold.
    """
    labels = labels.reshape(-1)  # (N,)
    logits = logits.reshape(-1, logits.size(-1))  # (N, n)
    if torch.compiler.is_compiling():
        return F.cross_entropy(logits, labels, ignore_index=IGNORE_INDEX)
    keep = labels != IGNORE_INDEX  # (N,)
    return F.cross_entropy(logits[keep], labels[keep])  # (n_labelled, n) -> ()


class _BertWithHead(BertPreTrainedModel):
    """A BertModel in ``self.bert`` plus a head; subclasses say whether the head needs the pooler."""

    uses_pooler = True

    def __init__(self, config: BertConfig) -> None:
        super().__init__(config)
        self.bert = BertModel(config, add_pooling_layer=self.uses_pooler)

    def mlm_logits(self, h: torch.Tensor) -> torch.Tensor:
        """Word scores from ``cls.predictions`` (the heads that have one), decoding with the tied embeddings."""
        return self.cls.predictions(h, self.bert.embeddings.word_embeddings.weight)  # (..., V)


class BertForPreTraining(_BertWithHead):
    """Both pre-training objectives: masked LM on every token, next-sentence prediction on [CLS].

    loss = CE(masked tokens) + CE(IsNext / NotNext)
    """

    def __init__(self, config: BertConfig) -> None:
        super().__init__(config)
        self.cls = nn.ModuleDict({"predictions": BertLMPredictionHead(config),
                                  "seq_relationship": nn.Linear(config.hidden_size, 2)})
        self.post_init()

    def forward(
        self,
        input_ids: torch.Tensor,
        *,
        token_type_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
        next_sentence_label: torch.Tensor | None = None,
        sparse_mlm: bool = False,
        **output_flags: bool,
    ) -> BertForPreTrainingOutput:
        """labels (B, T): the original id at masked positions, -100 elsewhere; next_sentence_label (B,): 0 / 1.

        sparse_mlm=True (with labels): only ~15% of positions are masked, so run the transform and
        the (H x V) vocabulary projection -- the biggest matmul of a small BERT -- only there. Same loss;
        the scores are then ``masked_prediction_logits`` (n_masked, V), and ``prediction_logits`` is None.
        """
        out = self.bert(input_ids, token_type_ids=token_type_ids, attention_mask=attention_mask, **output_flags)
        h = out.last_hidden_state  # (B, T, H)
        logits = masked_logits = None
        if sparse_mlm and labels is not None:
            keep = labels != IGNORE_INDEX  # (B, T)
            masked_logits = self.mlm_logits(h[keep])  # (n_masked, V)
            mlm_loss = F.cross_entropy(masked_logits, labels[keep])  # every row is a masked position
        else:
            logits = self.mlm_logits(h)  # (B, T, V)
            mlm_loss = None if labels is None else token_loss(logits, labels)
        nsp_logits = self.cls.seq_relationship(out.pooler_output)  # (B, 2)
        nsp_loss = None if next_sentence_label is None else F.cross_entropy(nsp_logits, next_sentence_label.view(-1))
        parts = [loss for loss in (mlm_loss, nsp_loss) if loss is not None]
        return BertForPreTrainingOutput(
            loss=sum(parts) if parts else None,
            prediction_logits=logits,
            seq_relationship_logits=nsp_logits,
            masked_lm_loss=mlm_loss,
            next_sentence_loss=nsp_loss,
            masked_prediction_logits=masked_logits,
            **out.extras(),
        )


class BertForMaskedLM(_BertWithHead):
    """The MLM objective alone (fill-mask); no pooler, as in transformers."""

    uses_pooler = False

    def __init__(self, config: BertConfig) -> None:
        super().__init__(config)
        self.cls = nn.ModuleDict({"predictions": BertLMPredictionHead(config)})
        self.post_init()

    def forward(
        self,
        input_ids: torch.Tensor,
        *,
        token_type_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
        **output_flags: bool,
    ) -> MaskedLMOutput:
        out = self.bert(input_ids, token_type_ids=token_type_ids, attention_mask=attention_mask, **output_flags)
        logits = self.mlm_logits(out.last_hidden_state)  # (B, T, V)
        loss = None if labels is None else token_loss(logits, labels)
        return MaskedLMOutput(loss=loss, logits=logits, **out.extras())


class BertForNextSentencePrediction(_BertWithHead):
    """Does segment B follow segment A? logits (B, 2) from the pooled [CLS]; label 0 = IsNext, 1 = NotNext."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__(config)
        self.cls = nn.ModuleDict({"seq_relationship": nn.Linear(config.hidden_size, 2)})
        self.post_init()

    def forward(
        self,
        input_ids: torch.Tensor,
        *,
        token_type_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
        **output_flags: bool,
    ) -> NextSentencePredictorOutput:
        out = self.bert(input_ids, token_type_ids=token_type_ids, attention_mask=attention_mask, **output_flags)
        logits = self.cls.seq_relationship(out.pooler_output)  # (B, 2)
        loss = None if labels is None else F.cross_entropy(logits, labels.view(-1))
        return NextSentencePredictorOutput(loss=loss, logits=logits, **out.extras())


class _BertWithClassifier(_BertWithHead):
    """dropout + Linear(H, n): the fine-tuning heads of the paper's Figure 4."""

    def __init__(self, config: BertConfig, n_outputs: int) -> None:
        super().__init__(config)
        p = config.classifier_dropout if config.classifier_dropout is not None else config.hidden_dropout_prob
        self.dropout = nn.Dropout(p)
        self.classifier = nn.Linear(config.hidden_size, n_outputs)
        self.post_init()


class BertForSequenceClassification(_BertWithClassifier):
    """One label (or one number) per input, from the pooled [CLS]: sentiment, entailment, similarity.

    num_labels == 1 (or problem_type "regression"): MSE; integer labels: cross-entropy;
    problem_type "multi_label_classification" (float 0/1 labels (B, num_labels)): BCE per label.
    """

    def __init__(self, config: BertConfig) -> None:
        super().__init__(config, config.num_labels)

    def problem_type(self, labels: torch.Tensor) -> str:
        if self.config.problem_type is not None:
            return self.config.problem_type
        if self.config.num_labels == 1:
            return "regression"
        is_integer = not (labels.dtype.is_floating_point or labels.dtype.is_complex)
        return "single_label_classification" if is_integer else "multi_label_classification"

    def forward(
        self,
        input_ids: torch.Tensor,
        *,
        token_type_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
        **output_flags: bool,
    ) -> SequenceClassifierOutput:
        out = self.bert(input_ids, token_type_ids=token_type_ids, attention_mask=attention_mask, **output_flags)
        logits = self.classifier(self.dropout(out.pooler_output))  # (B, num_labels)
        loss = None
        if labels is not None:
            kind = self.problem_type(labels)
            if kind == "regression":
                target = labels.to(logits.dtype)
                loss = F.mse_loss(logits.squeeze(-1), target.view(-1)) if self.config.num_labels == 1 \
                    else F.mse_loss(logits, target)
            elif kind == "single_label_classification":
                loss = F.cross_entropy(logits, labels.view(-1))
            else:
                loss = F.binary_cross_entropy_with_logits(logits, labels.to(logits.dtype))
        return SequenceClassifierOutput(loss=loss, logits=logits, **out.extras())


class BertForTokenClassification(_BertWithClassifier):
    """One label per token (named entities, part of speech); labels -100 are skipped (padding, ## pieces)."""

    uses_pooler = False

    def __init__(self, config: BertConfig) -> None:
        super().__init__(config, config.num_labels)

    def forward(
        self,
        input_ids: torch.Tensor,
        *,
        token_type_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
        **output_flags: bool,
    ) -> TokenClassifierOutput:
        out = self.bert(input_ids, token_type_ids=token_type_ids, attention_mask=attention_mask, **output_flags)
        logits = self.classifier(self.dropout(out.last_hidden_state))  # (B, T, num_labels)
        loss = None if labels is None else token_loss(logits, labels)
        return TokenClassifierOutput(loss=loss, logits=logits, **out.extras())


class BertForQuestionAnswering(_BertWithHead):
    """Extractive QA: score every token as the answer's start and as its end.

        [start_logit, end_logit] = h_t W + b      # W: (H, 2), one column per boundary
        loss = (CE(start_logits, start) + CE(end_logits, end)) / 2
    """

    uses_pooler = False

    def __init__(self, config: BertConfig) -> None:
        super().__init__(config)
        self.qa_outputs = nn.Linear(config.hidden_size, 2)
        self.post_init()

    def forward(
        self,
        input_ids: torch.Tensor,
        *,
        token_type_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        start_positions: torch.Tensor | None = None,
        end_positions: torch.Tensor | None = None,
        **output_flags: bool,
    ) -> QuestionAnsweringModelOutput:
        out = self.bert(input_ids, token_type_ids=token_type_ids, attention_mask=attention_mask, **output_flags)
        start_logits, end_logits = self.qa_outputs(out.last_hidden_state).unbind(dim=-1)  # 2 x (B, T)
        loss = None
        if start_positions is not None and end_positions is not None:
            # As in transformers: a position outside the window (the answer was cut off) is clamped to T,
            # and T is the ignored index, so such examples add nothing to the loss.
            T = start_logits.size(1)
            start, end = (p.view(-1).clamp(0, T) for p in (start_positions, end_positions))
            loss = (F.cross_entropy(start_logits, start, ignore_index=T)
                    + F.cross_entropy(end_logits, end, ignore_index=T)) / 2
        return QuestionAnsweringModelOutput(
            loss=loss, start_logits=start_logits, end_logits=end_logits, **out.extras()
        )


class BertForMultipleChoice(_BertWithClassifier):
    """Pick one of C candidate continuations (SWAG): each (context, choice) pair is encoded on its own,
    scored by Linear(H, 1) on its pooled [CLS], and the C scores compete in a softmax.

    input_ids, token_type_ids, attention_mask: (B, C, T); logits (B, C); labels (B,) in [0, C).
    """

    def __init__(self, config: BertConfig) -> None:
        super().__init__(config, 1)

    def forward(
        self,
        input_ids: torch.Tensor,
        *,
        token_type_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
        **output_flags: bool,
    ) -> MultipleChoiceModelOutput:
        if input_ids.dim() != 3:
            shape = tuple(input_ids.shape)
            raise ValueError(f"multiple choice input_ids must be (batch, choices, seq_len), got {shape}")
        B, C, T = input_ids.shape
        flat = [None if t is None else t.reshape(B * C, -1) for t in (input_ids, token_type_ids, attention_mask)]
        out = self.bert(flat[0], token_type_ids=flat[1], attention_mask=flat[2], **output_flags)  # B*C sequences
        logits = self.classifier(self.dropout(out.pooler_output)).view(B, C)  # (B*C, 1) -> (B, C)
        loss = None if labels is None else F.cross_entropy(logits, labels.view(-1))
        return MultipleChoiceModelOutput(loss=loss, logits=logits, **out.extras())
