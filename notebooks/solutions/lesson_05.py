"""Lesson 05 solutions."""
import torch

from minibert import BertConfig, BertModel, BertTokenizer
from minibert.course import viz

config = BertConfig.from_pretrained("minilm")
tokenizer = BertTokenizer.from_pretrained("minilm")
model = BertModel.from_pretrained("minilm")


def last_layer_vector(text: str, word: str) -> torch.Tensor:
    batch = tokenizer(text, return_tensors="pt")
    i = tokenizer.convert_ids_to_tokens(batch["input_ids"][0].tolist()).index(word)
    with torch.no_grad():
        return model(**batch).last_hidden_state[0, i]


ANSWERS = {
    # Checkpoint keys are module paths: layer 3 -> "intermediate" (the H -> 4H Linear + GELU) -> dense.weight.
    "05.1": "encoder.layer.3.intermediate.dense.weight",
    # One row of H = 384 numbers for each of the 30,522 vocabulary entries: 11,720,448.
    "05.2": config.vocab_size * config.hidden_size,
    # Same word, same input embedding; the contexts (sitting vs robbing) pull the two vectors apart a little.
    "05.3": round(viz.cosine_similarity_matrix(torch.stack([
        last_layer_vector("I sat on the bank.", "bank"),
        last_layer_vector("I robbed the bank.", "bank"),
    ]))[0, 1].item(), 2),
}
