"""Lesson 15 solutions."""
from minibert import BertConfig, costs

ANSWERS = {
    # 16 bytes a parameter (fp32 weight 4, gradient 4, Adam's m and v 8) x 336,226,108 parameters.
    "15.1": 16 * costs.count_parameters(BertConfig.from_preset("large"))["total"] / 1e9,  # about 5.38 GB
    # 126 text tokens per window ([CLS] and [SEP] take 2 of the 128), each window starting 126 - 32 = 94
    # tokens after the previous: starts 0, 94, ..., 940; the window at 940 reaches the end (940 + 126 >= 1000).
    "15.2": 11,
    # 30,000 x 1,024 - (30,000 x 128 + 128 x 1,024) = 30,720,000 - 3,971,072
    "15.3": 30_000 * 1_024 - (30_000 * 128 + 128 * 1_024),  # 26,748,928
}
