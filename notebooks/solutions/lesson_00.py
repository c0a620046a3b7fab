"""Lesson 00 solutions."""
import torch

from minibert import BertConfig, BertModel, BertTokenizer

with torch.device("meta"):  # build BERT-base's shapes only, and count its layers
    base = BertModel(BertConfig.from_preset("base"))

tokenizer = BertTokenizer.from_pretrained("minilm")
model = BertModel.from_pretrained("minilm").eval()


def last_word_vector(text: str) -> torch.Tensor:
    """Like the lesson's first_word_vector, one position before the final [SEP]."""
    enc = tokenizer(text, return_tensors="pt")
    with torch.no_grad():
        return model(**enc).last_hidden_state[0, -2]


a, b = last_word_vector("bank of the river"), last_word_vector("edge of the river")

ANSWERS = {
    # BERT = Bidirectional Encoder Representations from Transformers.
    "00.1": "bidirectional",
    # The base preset mirrors Google's BERT-base: L=12, H=768, A=12.
    "00.2": len(base.encoder.layer),
    # Context flows right to left too: the last word's vector changes when only the first word does.
    "00.3": round(((a - b).norm() / a.norm()).item(), 2),
}

WRONG = {
    "00.1": ["binary", "base"],
    "00.2": [6, 24],  # MiniLM's layers; BERT-large's
    "00.3": [0.0, 0.38],  # "a left-to-right model would not change"; the lesson's number for the first word
}
