"""Lesson 07 solutions."""
import torch.nn.functional as F

from minibert import BertConfig, BertTokenizer
from minibert.course.corpus import course_corpus, course_vocab_dir
from minibert.pretraining_data import build_pretraining_dataset

_large = BertConfig.from_preset("large")


def mlm_loss(logits, labels):
    # Flatten (B, T, V) -> (B*T, V); ignore_index=-100 drops the unlabelled positions from the mean.
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), labels.reshape(-1), ignore_index=-100)


def mean_over_every_position(logits, labels):
    # A mistake: the -100 positions are scored too (as if their label were token 0).
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), labels.clamp(min=0).reshape(-1))


def summed_loss(logits, labels):
    # A mistake: the sum over the labelled positions, not the mean.
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), labels.reshape(-1), ignore_index=-100, reduction="sum")


def chosen_positions(masked_lm_prob):
    # The experiment: rebuild the dataset at another rate and count the labels that are not -100.
    tokenizer = BertTokenizer.from_pretrained(course_vocab_dir())
    dataset = build_pretraining_dataset(course_corpus("train")[:600], tokenizer, max_seq_length=128, seed=0,
                                        masked_lm_prob=masked_lm_prob)
    return sum(label != -100 for i in range(len(dataset)) for label in dataset[i]["labels"])


def all_tokens():
    tokenizer = BertTokenizer.from_pretrained(course_vocab_dir())
    dataset = build_pretraining_dataset(course_corpus("train")[:600], tokenizer, max_seq_length=128, seed=0)
    return sum(len(dataset[i]["input_ids"]) for i in range(len(dataset)))


ANSWERS = {
    # [CLS] + 25 + [SEP] + 29 + [SEP] = 57 tokens; 15% of 57 = 8.55, rounded: 9 ([CLS] and [SEP] count, as
    # in Google's script, but are never chosen).
    "07.1": round(0.15 * (25 + 29 + 3)),
    # Without tying the decoder is its own (V x H) matrix: 30,522 x 1,024 numbers.
    "07.2": _large.vocab_size * _large.hidden_size,
    "07.3": mlm_loss,
    # Fewer than 25% of the tokens: a sequence of 128 tokens would get 32 predictions, but max_predictions_per_seq
    # caps it at 20.
    "07.4": chosen_positions(0.25),
}

WRONG = {
    "07.1": [round(0.15 * (25 + 29)), 8.55, 57, 6],   # ordinary tokens only; unrounded; the length; a guess
    "07.2": [2 * _large.vocab_size * _large.hidden_size, 30522 * 768, _large.hidden_size ** 2],
    "07.3": [mean_over_every_position, summed_loss],
    "07.4": [round(0.25 * all_tokens()), chosen_positions(0.15), 0.25],
}
