import pytest
import torch

from minibert.tasks import ner

LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC"]
LABEL2ID = {label: i for i, label in enumerate(LABELS)}
ID2LABEL = dict(enumerate(LABELS))
X = -100

WORDS = ["Arnold", "Schwarzenegger", "visited", "Wolfsburg"]
TAGS = ["B-PER", "I-PER", "O", "B-LOC"]
# [CLS] arnold schwarz ##ene ##gger visited wolf ##sburg [SEP]
WORD_IDS = [None, 0, 1, 1, 1, 2, 3, 3, None]


def ids(*tags):
    return [LABEL2ID[t] if isinstance(t, str) else t for t in tags]


def test_first_sub_token_labelled_rest_ignored():
    assert ner.align_labels_with_tokens(TAGS, WORD_IDS, LABEL2ID) == ids(X, "B-PER", "I-PER", X, X, "O", "B-LOC", X, X)


def test_label_all_tokens_continues_b_as_i():
    assert ner.align_labels_with_tokens(TAGS, WORD_IDS, LABEL2ID, label_all_tokens=True) == ids(
        X, "B-PER", "I-PER", "I-PER", "I-PER", "O", "B-LOC", "I-LOC", X)


def test_align_errors():
    with pytest.raises(KeyError, match="unknown label 'B-FOO'"):
        ner.align_labels_with_tokens(["B-FOO"], [None, 0, None], LABEL2ID)
    with pytest.raises(IndexError, match="only 1 word labels"):
        ner.align_labels_with_tokens(["O"], [None, 0, 1, None], LABEL2ID)


def test_tokenize_and_align_and_collate(tok):
    words_batch = [WORDS, ["Hawaii"]]
    features = ner.tokenize_and_align(words_batch, [TAGS, ["B-LOC"]], tok, LABEL2ID, max_length=32)
    assert features[0]["word_ids"] == WORD_IDS
    assert tok.convert_ids_to_tokens(features[0]["input_ids"])[2:5] == ["schwarz", "##ene", "##gger"]
    assert features[0]["labels"] == ner.align_labels_with_tokens(TAGS, WORD_IDS, LABEL2ID)
    assert features[1]["labels"] == ids(X, "B-LOC", X)
    batch = ner.ner_collator(tok.pad_token_id)(features)
    assert set(batch) == {"input_ids", "token_type_ids", "attention_mask", "labels"}
    assert batch["labels"].shape == batch["input_ids"].shape == (2, 9)
    assert batch["labels"][1].tolist() == ids(X, "B-LOC", X, X, X, X, X, X, X)
    assert batch["attention_mask"][1].tolist() == [1, 1, 1, 0, 0, 0, 0, 0, 0]
    assert (batch["input_ids"][1, 3:] == tok.pad_token_id).all()
    # Truncation keeps [SEP] and drops the words that do not fit.
    short = ner.tokenize_and_align([WORDS], [TAGS], tok, LABEL2ID, max_length=4)[0]
    assert short["word_ids"] == [None, 0, 1, None] and short["labels"] == ids(X, "B-PER", "I-PER", X)
    with pytest.raises(ValueError, match="sentence 0 has 4 words but 3 tags"):
        ner.tokenize_and_align([WORDS], [TAGS[:3]], tok, LABEL2ID)


def test_aggregate_barack_obama(tok):
    words = "Barack Obama was born in Hawaii .".split()
    enc = tok(words, is_split_into_words=True, return_word_ids=True)
    word_ids = enc["word_ids"]
    # Crafted predictions: right tag on each first sub-token, nonsense on the others (they are ignored).
    word_tags = ["B-PER", "I-PER", "O", "O", "O", "B-LOC", "O"]
    preds, seen = [], set()
    for w in word_ids:
        preds.append(LABEL2ID["B-MISC"] if w is None or w in seen else LABEL2ID[word_tags[w]])
        seen.add(w)
    scores = torch.linspace(0.5, 0.9, len(word_ids)).tolist()
    entities = ner.aggregate_predictions(words, word_ids, preds, ID2LABEL, token_scores=scores)
    first = {w: word_ids.index(w) for w in range(len(words))}
    assert entities == [
        {"entity_group": "PER", "word": "Barack Obama", "start": 0, "end": 12,
         "score": pytest.approx((scores[first[0]] + scores[first[1]]) / 2)},
        {"entity_group": "LOC", "word": "Hawaii", "start": 25, "end": 31, "score": pytest.approx(scores[first[5]])},
    ]
    # In the original text, through each word's character span.
    text = "Barack  Obama was born in Hawaii."
    offsets = [(0, 6), (8, 13), (14, 17), (18, 22), (23, 25), (26, 32), (32, 33)]
    entities = ner.aggregate_predictions(words, word_ids, preds, ID2LABEL, word_offsets=offsets, text=text)
    assert [(e["word"], e["start"], e["end"], e["score"]) for e in entities] == [
        ("Barack  Obama", 0, 13, None), ("Hawaii", 26, 32, None)]


def test_word_tags_use_first_sub_token_and_o_for_truncated_words():
    preds = ids("O", "B-PER", "I-LOC", "B-ORG", "B-ORG", "O", "B-LOC", "I-LOC", "O")
    assert ner.word_tags(5, WORD_IDS, preds, ID2LABEL) == ["B-PER", "I-LOC", "O", "B-LOC", "O"]
    with pytest.raises(ValueError, match="9 tokens but only 2 predictions"):
        ner.word_tags(4, WORD_IDS, [0, 0], ID2LABEL)
