"""minibert: BERT built step by step, readable like a textbook and checked against transformers.

Lesson by lesson: ``tokenizer`` (01), ``embeddings`` (02), ``attention`` (03), ``encoder`` and
``modeling`` (04-05), ``heads`` (07-13), ``pretraining_data`` and ``trainer`` (07-09), ``tasks`` (10-14).
What only the course needs (profiles, exercises, its data and models) is ``minibert.course``, which the
library never imports.
"""
from .config import BertConfig
from .heads import (
    BertForMaskedLM,
    BertForMultipleChoice,
    BertForNextSentencePrediction,
    BertForPreTraining,
    BertForQuestionAnswering,
    BertForSequenceClassification,
    BertForTokenClassification,
)
from .modeling import BertModel, BertPreTrainedModel
from .tokenizer import BertTokenizer

__version__ = "0.1.0"

__all__ = [
    "BertConfig", "BertTokenizer", "BertModel", "BertPreTrainedModel",
    "BertForPreTraining", "BertForMaskedLM", "BertForNextSentencePrediction",
    "BertForSequenceClassification", "BertForTokenClassification", "BertForQuestionAnswering",
    "BertForMultipleChoice",
]
