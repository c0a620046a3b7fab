"""Lesson 08 solutions."""
import random

from minibert import BertTokenizer
from minibert.course.baselines_lm import frequent_tokens
from minibert.course.corpus import course_corpus, course_vocab_dir
from minibert.pretraining_data import IS_NEXT, NOT_NEXT, create_instances_from_document, tokenize_documents


def other_document(n_documents, document_index, rng):
    # Draw among the n - 1 other documents, then skip over the current one: uniform, and never the same
    # document (retrying until a draw differs would work too, but takes a variable number of draws).
    index = rng.randrange(n_documents - 1)
    return index + 1 if index >= document_index else index


def any_document(n_documents, document_index, rng):
    # A mistake: the document itself can come back.
    return rng.randrange(n_documents)


def next_document(n_documents, document_index, rng):
    # A mistake: never the same document, but always the same other one.
    return (document_index + 1) % n_documents


def overlap_accuracy_at(max_seq_length):
    # The experiment, written out: cut the pairs as the lesson's make_pairs does, pick the threshold on the
    # training pairs, score the held-out ones.
    tokenizer = BertTokenizer.from_pretrained(course_vocab_dir())
    docs = tokenize_documents(course_corpus("train")[:2000], tokenizer)
    dev_docs = tokenize_documents(course_corpus("dev"), tokenizer)

    def pairs_of(documents, seed):
        rng, pairs = random.Random(seed), []
        for index in range(len(documents)):
            pairs += create_instances_from_document(documents, index, max_seq_length, 0.1, rng)
        random.Random(seed).shuffle(pairs)
        return pairs

    frequent = frequent_tokens(s for d in docs for s in d)

    def predicts_next(pair, k):
        return len((set(pair.tokens_a) & set(pair.tokens_b)) - frequent) >= k

    def accuracy(pairs, k):
        return sum(predicts_next(p, k) == (p.next_sentence_label == IS_NEXT) for p in pairs) / len(pairs)

    train = pairs_of(docs, 1)
    k = max(range(21), key=lambda t: (accuracy(train, t), -t))
    return accuracy(pairs_of(dev_docs, 2), k)


ANSWERS = {
    # The sky has nothing to do with football: NotNext, label 1 (0 = IsNext, as in BERT).
    "08.1": NOT_NEXT,
    # The longer segment loses a token at a time: A goes 30 -> 20 (total 40), then the budget is met.
    "08.2": 20,
    "08.3": other_document,
    "08.4": overlap_accuracy_at(128),
}

WRONG = {
    "08.1": [IS_NEXT, 2],
    "08.2": [30, 25, 10, 15],
    "08.3": [any_document, next_document],
    "08.4": [overlap_accuracy_at(64), 0.5, 74.0],
}
