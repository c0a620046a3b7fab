"""Lesson 00 solutions."""
from minibert import BertConfig

ANSWERS = {
    # BERT = Bidirectional Encoder Representations from Transformers.
    "00.1": "bidirectional",
    # The base preset mirrors Google's BERT-base: L=12, H=768, A=12.
    "00.2": BertConfig.from_preset("base").num_hidden_layers,
}
