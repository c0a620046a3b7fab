"""Lesson 01 solutions."""


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


ANSWERS = {
    # "tokenization" is not in the vocabulary; its longest prefix that is, is "token";
    # the rest, "ization", is in the vocabulary as the continuation piece "##ization".
    "01.1": ["token", "##ization"],
    # [CLS] i love playing football . [SEP] | it ’ s my favorite sport . [SEP]
    # Sentence B is 7 tokens ("’" is punctuation, so "it’s" is three) plus its [SEP]: 8.
    "01.2": 8,
    "01.3": wordpiece,
}
