"""Lesson 06 solutions."""
import torch

from minibert import BertConfig, BertModel, BertTokenizer

config = BertConfig.from_pretrained("minilm")
tokenizer = BertTokenizer.from_pretrained("minilm")
model = BertModel.from_pretrained("minilm")


def attention_of(text: str) -> tuple[torch.Tensor, list[str]]:
    """All of MiniLM's attention for one text, (L, A, T, T), and its tokens."""
    batch = tokenizer(text, return_tensors="pt")
    tokens = tokenizer.convert_ids_to_tokens(batch["input_ids"][0].tolist())
    with torch.no_grad():
        return torch.cat(model(**batch, output_attentions=True).attentions), tokens


# 06.1: the weight every query gives to [CLS] (column 0), averaged over the queries: one score per head.
cls_attention, _ = attention_of("Where did you park the car?")
cls_score = cls_attention[..., 0].mean(-1)  # (L, A)
best = int(cls_score.argmax())

football_attention, football_tokens = attention_of("I love playing football.")
row = football_attention[5, 5, football_tokens.index("playing")]  # layer 5, head 5, query "playing"

violin_attention, violin_tokens = attention_of("My sister plays the violin every evening.")
sep_share = 100 * violin_attention[0, 5, :, violin_tokens.index("[SEP]")].mean().item()  # in %

ANSWERS = {
    # Not the pair's best [CLS] head: on this sentence another head parks the most on [CLS].
    "06.1": (best // config.num_attention_heads, best % config.num_attention_heads),
    # One (heads, T, T) table per layer: 6 * 12 * 15 * 15 = 16,200 probabilities.
    "06.2": config.num_hidden_layers * config.num_attention_heads * 15 * 15,
    # This head links words to the main noun of the sentence: "playing" looks at "football".
    "06.3": football_tokens[row.argmax().item()],
    # About twice what uniform attention gives (100 / T = 10% here): weak, as on the lesson's pair.
    "06.4": sep_share,
}

WRONG = {
    "06.1": [(2, 9), (0, 2)],  # the pair's [CLS] head; the previous-token head
    "06.2": [config.num_attention_heads * 15 * 15, 15 * 15],  # one layer; one head
    "06.3": ["playing", "[CLS]"],
    "06.4": [100 / len(violin_tokens),  # uniform attention; a fraction instead of a percentage; the largest row
             sep_share / 100, 100 * violin_attention[0, 5, :, violin_tokens.index("[SEP]")].max().item()],
}
