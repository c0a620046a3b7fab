"""Lesson 15 solutions."""
import random
import re

import torch

from minibert import BertConfig, BertForPreTraining, BertTokenizer, costs
from minibert.course.corpus import course_corpus
from minibert.course.models import pretrained_model_dir


def first_positions_at_256():
    """The lesson's cells, with max_length=256: hide 1 word in 7 in each long text, read 256 tokens, score the
    hidden words that fall in positions 0-127."""
    model_dir, _ = pretrained_model_dir()
    tok, model = BertTokenizer.from_pretrained(model_dir), BertForPreTraining.from_pretrained(model_dir).eval()
    documents = course_corpus("dev")
    texts = [" ".join(s for d in documents[i:i + 20] for s in d) for i in range(0, 400, 20)]
    masked = []
    for seed, text in enumerate(texts):
        words = [m for m in re.finditer(r"[A-Za-z]+", text) if m.group().lower() in tok.vocab]
        hidden = sorted(random.Random(seed).sample(range(len(words)), len(words) // 7))
        out, cursor = "", 0
        for i in hidden:
            out += text[cursor:words[i].start()] + tok.mask_token
            cursor = words[i].end()
        masked.append((out + text[cursor:], [words[i].group().lower() for i in hidden]))
    batch = tok([m for m, _ in masked], max_length=256, truncation=True, padding=True, return_tensors="pt")
    with torch.no_grad():
        guesses = model(**batch).prediction_logits.argmax(-1)
    right = total = 0
    for row, (_, answers) in enumerate(masked):
        positions = (batch["input_ids"][row] == tok.mask_token_id).nonzero().flatten().tolist()
        for k, p in enumerate(positions):
            if p < 128:
                total += 1
                right += tok.convert_ids_to_tokens([int(guesses[row, p])])[0] == answers[k]
    return right / total


ANSWERS = {
    # 16 bytes a parameter (fp32 weight 4, gradient 4, Adam's m and v 8) x 336,226,108 parameters.
    "15.1": 16 * costs.count_parameters(BertConfig.from_preset("large"))["total"] / 1e9,  # about 5.38 GB
    # 126 text tokens per window ([CLS] and [SEP] take 2 of the 128), each window starting 126 - 32 = 94
    # tokens after the previous: starts 0, 94, ..., 940; the window at 940 reaches the end (940 + 126 >= 1000).
    "15.2": 11,
    # 30,000 x 1,024 - (30,000 x 128 + 128 x 1,024) = 30,720,000 - 3,971,072
    "15.3": 30_000 * 1_024 - (30_000 * 128 + 128 * 1_024),  # 26,748,928
    # Between the 512-token reading and the 128-token one: less unknown context to distract the first positions.
    "15.4": first_positions_at_256(),
}

WRONG = {
    "15.1": [16 * 335_141_888 / 1e9 * 1.1, 4 * 336_226_108 / 1e9, 16 * 336_226_108],  # guesses; weights only; bytes
    "15.2": [8, 10, 12],  # 1000 / 126; forgetting [CLS]/[SEP]; one window too many
    "15.3": [30_000 * 1_024, 30_000 * 128 + 128 * 1_024, 30_000 * (1_024 - 128)],  # BERT's table; ALBERT's; no E x H
    "15.4": [45.0, 0.0],  # a percentage; nothing guessed
}
