"""Lesson 01 solutions."""
from minibert import BertTokenizer
from minibert.course.corpus import course_corpus
from minibert.tokenizer import BasicTokenizer
from minibert.wordpiece import train_wordpiece


def wordpiece(word: str, vocab: dict[str, int]) -> list[str]:
    """Greedy longest match: at each position take the longest piece in the vocabulary."""
    pieces, start = [], 0
    while start < len(word):
        for end in range(len(word), start, -1):  # longest candidate first
            piece = ("##" if start > 0 else "") + word[start:end]
            if piece in vocab:
                break
        else:  # not even one character matched: the whole word is unknown
            return ["[UNK]"]
        pieces.append(piece)
        start = end
    return pieces


tok = BertTokenizer.from_pretrained("minilm")
pair = tok("Where did you park the car?", "It’s behind the old bakery.")

# 01.4: the lesson's recipe with vocab_size=2500, then our own wordpiece over the new vocabulary.
sentences = [s for doc in course_corpus() for s in doc]
vocab_2500 = {t: i for i, t in enumerate(train_wordpiece(sentences[:5000], vocab_size=2500))}
held_out = "The old sailor mended his nets by the harbour."
pieces_2500 = [p for w in BasicTokenizer().tokenize(held_out) for p in wordpiece(w, vocab_2500)]

ANSWERS = {
    # "hyperparameters" is not in the vocabulary; its longest prefix that is, is "hyper"; then the longest
    # continuation pieces: "##para", "##meter", "##s".
    "01.1": wordpiece("hyperparameters", tok.vocab),
    # [CLS] where did you park the car ? [SEP] | it ’ s behind the old bakery . [SEP]
    # Sentence B is 8 tokens ("’" is punctuation, so "it’s" is three) plus its [SEP]: 9.
    "01.2": sum(1 for s in pair["token_type_ids"] if s == 1),
    "01.3": wordpiece,
    # More merges than the lesson's 1,000: "his", "by" and "old" are whole, "sailor" is sai ##lo ##r.
    "01.4": len(pieces_2500),
}


def _no_unk(word: str, vocab: dict[str, int]) -> list[str]:
    """A plausible bug: greedy, but without the [UNK] rule (it loops forever on unknown characters, so it
    skips them instead)."""
    pieces, start = [], 0
    while start < len(word):
        for end in range(len(word), start, -1):
            piece = ("##" if start > 0 else "") + word[start:end]
            if piece in vocab:
                pieces.append(piece)
                start = end
                break
        else:
            start += 1
    return pieces


WRONG = {
    "01.1": [["hyper", "para", "meter", "s"], ["hyperparameter", "##s"], ["hyper", "##param", "##eters"]],
    "01.2": [ANSWERS["01.2"] - 1, ANSWERS["01.2"] - 2],  # without the final [SEP]; "it’s" as one token
    "01.3": _no_unk,
    "01.4": [ANSWERS["01.4"] + 2, 33],  # with [CLS] and [SEP]; the lesson's 1,000-token vocabulary
}
