"""Lesson 06 solutions."""
import torch

from minibert import BertConfig, BertModel, BertTokenizer
from minibert.course import viz

config = BertConfig.from_pretrained("minilm")
tokenizer = BertTokenizer.from_pretrained("minilm")
model = BertModel.from_pretrained("minilm")


def attention_of(text: str) -> tuple[list[torch.Tensor], list[str]]:
    batch = tokenizer(text, return_tensors="pt")
    tokens = tokenizer.convert_ids_to_tokens(batch["input_ids"][0].tolist())
    with torch.no_grad():
        return model(**batch, output_attentions=True).attentions, tokens


cat_attentions, cat_tokens = attention_of("The cat sat on the mat.")
football_attentions, football_tokens = attention_of("I love playing football.")
row = football_attentions[5][0, 5, football_tokens.index("playing")]  # layer 5, head 5, query "playing"

ANSWERS = {
    # Score every head for "previous token" and take the best: layer 0, head 2 (about 100% on this sentence).
    "06.1": viz.top_heads(viz.head_patterns(cat_attentions, cat_tokens), "previous token", k=1)[0][:2],
    # One (heads, T, T) table per layer: 6 * 12 * 15 * 15 = 16,200 probabilities.
    "06.2": config.num_hidden_layers * config.num_attention_heads * 15 * 15,
    # This head links words to the main noun of the sentence: "playing" looks at "football".
    "06.3": football_tokens[row.argmax().item()],
}
