"""Lesson 11 solutions."""
import torch

from minibert.course.corpus import course_corpus
from minibert.course.models import course_model, course_tokenizer
from minibert.pretraining_data import create_segment_pairs, tokenize_documents


def segment_ids(input_ids, sep_id):
    """0 for [CLS], sentence A and the first [SEP]; 1 for everything after it."""
    ids = list(input_ids)
    border = ids.index(sep_id) + 1                  # just after the first [SEP]
    return [0] * border + [1] * (len(ids) - border)


# 11.4: section 6's NSP pairs, every token in segment B, one pair at a time (no padding needed).
model, tokenizer = course_model(), course_tokenizer()
nsp_pairs = create_segment_pairs(tokenize_documents(course_corpus("dev")[:300], tokenizer), max_seq_length=64,
                                 seed=0)[:400]
right = 0
with torch.no_grad():
    for pair in nsp_pairs:
        ids = torch.tensor([pair.input_ids(tokenizer.cls_token_id, tokenizer.sep_token_id)])
        logits = model(input_ids=ids, token_type_ids=torch.ones_like(ids)).seq_relationship_logits
        right += int(logits.argmax(-1)) == pair.next_sentence_label
all_b_accuracy = right / len(nsp_pairs)


ANSWERS = {
    # "nobody is sleeping ." is 4 tokens, plus the final [SEP]: 5 tokens in segment B.
    "11.1": 5,
    # accuracy 1/3; F1(entailment) = 2 * (1/3 * 1) / (1/3 + 1) = 1/2, F1 = 0 for the two others: 1/6.
    "11.2": (1 / 3, 1 / 6),
    "11.3": segment_ids,
    # Between the right ids and all zeros: the head needs to know where B starts, not only that B exists.
    "11.4": all_b_accuracy,
}


def segment_ids_without_final_sep(input_ids, sep_id):
    """A plausible mistake: the final [SEP] counted in segment A."""
    ids = list(input_ids)
    border = ids.index(sep_id) + 1
    return [0] * border + [1] * (len(ids) - border - 1) + [0] * (len(ids) > border)


WRONG = {
    "11.1": [4, 6, 10],                       # without the final [SEP]; with the first one; the whole pair
    "11.2": [(1 / 3, 1 / 3), (1 / 3, 1 / 2), (1.0, 1 / 6)],  # macro = accuracy; F1 of entailment alone; accuracy 1
    "11.3": segment_ids_without_final_sep,
    "11.4": [0.97, 0.75, 0.625, 100 * all_b_accuracy],  # the pairs' own ids; all zeros; the majority; a percentage
}
