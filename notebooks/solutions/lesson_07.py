"""Lesson 07 solutions."""
import torch.nn.functional as F

from minibert import BertConfig

_large = BertConfig.from_preset("large")


def mlm_loss(logits, labels):
    # Flatten (B, T, V) -> (B*T, V); ignore_index=-100 drops the unlabelled positions from the mean.
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), labels.reshape(-1), ignore_index=-100)


ANSWERS = {
    # 15% of the 40 ordinary tokens = 6; [CLS] and [SEP] are never candidates.
    "07.1": round(0.15 * 40),
    # Without tying the decoder is its own (V x H) matrix: 30,522 x 1,024 numbers.
    "07.2": _large.vocab_size * _large.hidden_size,
    "07.3": mlm_loss,
}
