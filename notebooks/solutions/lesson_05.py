"""Lesson 05 solutions."""
import torch

from minibert import BertConfig, BertModel, BertTokenizer
from minibert.course import viz

config = BertConfig.from_pretrained("minilm")
tokenizer = BertTokenizer.from_pretrained("minilm")
model = BertModel.from_pretrained("minilm")


def layer_vectors(text: str, word: str) -> torch.Tensor:
    """The vectors of ``word`` after every layer, (L+1, H), like the lesson's word_vectors for one text."""
    batch = tokenizer(text, return_tensors="pt")
    i = tokenizer.convert_ids_to_tokens(batch["input_ids"][0].tolist()).index(word)
    with torch.no_grad():
        return torch.stack(model(**batch, output_hidden_states=True).hidden_states)[:, 0, i]


def cosine(text_a: str, text_b: str, layer: int) -> float:
    pair = torch.stack([layer_vectors(text_a, "bank")[layer], layer_vectors(text_b, "bank")[layer]])
    return viz.cosine_similarity_matrix(pair)[0, 1].item()


ANSWERS = {
    # Checkpoint keys are module paths: layer 3 -> "intermediate" (the H -> 4H Linear + GELU) -> dense.weight.
    "05.1": "encoder.layer.3.intermediate.dense.weight",
    # One row of H = 384 numbers for each of the 30,522 vocabulary entries: 11,720,448.
    "05.2": config.vocab_size * config.hidden_size,
    # Same word, same input embedding; the contexts (sitting vs robbing) pull the two vectors apart a little.
    "05.3": round(cosine("I sat on the bank.", "I robbed the bank.", -1), 2),
    # hidden_states[1] is the output of layer 1 (hidden_states[0] is the embedding layer's): after one layer
    # the two banks have already moved apart, more than half the way to the last layer's similarity.
    "05.4": round(cosine("The bank closed my account.", "We walked along the bank at dusk.", 1), 2),
}

WRONG = {
    "05.1": ["encoder.layer.3.output.dense.weight", "encoder.layer.3.intermediate.weight"],  # W_2; not a path
    "05.2": [sum(p.numel() for p in model.embeddings.parameters()), config.vocab_size * 768],  # all embeddings; H=768
    "05.3": [1.0],  # the input embeddings' similarity
    "05.4": [round(cosine("The bank closed my account.", "We walked along the bank at dusk.", -1), 2),  # last layer
             round(cosine("The bank closed my account.", "We walked along the bank at dusk.", 2), 2)],  # off by one
}
