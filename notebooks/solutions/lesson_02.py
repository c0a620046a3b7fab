"""Lesson 02 solutions."""
import torch

from minibert import BertModel
from minibert.course import viz

# Position 300's row of the cosine-similarity matrix of MiniLM's learned position embeddings; its largest
# entry apart from the diagonal is a neighbour, as for almost every position.
_similarity = viz.cosine_similarity_matrix(BertModel.from_pretrained("minilm").embeddings.position_embeddings.weight)
_row = _similarity[300].clone()
_row[300] = -2.0  # not itself

ANSWERS = {
    # BERT-large: V = 30,522, P = 512, 2 segments, H = 1024:
    # (30,522 + 512 + 2) * 1024 for the tables + 2 * 1024 for LayerNorm's gamma and beta.
    "02.1": (30_522 + 512 + 2) * 1024 + 2 * 1024,
    "02.2": int(torch.argmax(_row)),
    # (B, T, H): 4 sentences, 16 tokens each, hidden size 768.
    "02.3": (4, 16, 768),
    # The lesson's by_distance[12]: the mean of the 12th diagonal. It is HIGHER than at distance 10: one of
    # the waves of the similarity curve (a peak every few positions).
    "02.4": torch.diagonal(_similarity, 12).mean().item(),
}

WRONG = {
    "02.1": [(30_522 + 512 + 2) * 1024, (30_522 + 512 + 2) * 768 + 2 * 768],  # no LayerNorm; BERT-base's H
    "02.2": [300, 0],  # itself; the first position
    "02.3": [(4, 16, 384), (16, 4, 768)],  # MiniLM's H; batch and length swapped
    # one pair, (0, 12), instead of the mean over all pairs; the mean at distance 10
    "02.4": [_similarity[0, 12].item(), torch.diagonal(_similarity, 10).mean().item()],
}
