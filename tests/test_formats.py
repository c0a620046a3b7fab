"""The public-format loaders on small fixture files written in each format (tests/fixtures/formats)."""
from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path

import pytest

from minibert.tasks.classification import load_glue_tsv
from minibert.tasks.formats import FormatError
from minibert.tasks.multiple_choice import load_swag
from minibert.tasks.ner import iob1_to_bio, load_conll
from minibert.tasks.nli import NLI_LABELS, load_nli
from minibert.tasks.qa import load_squad
from minibert.tasks.registry import get_task, hf_rows_to_examples
from minibert.tasks.summarization import load_summaries
from minibert.tasks.translation import load_parallel

FIX = Path(__file__).parent / "fixtures" / "formats"


@contextmanager
def raises_at(path: Path, line: int | None, match: str):
    """Expect a FormatError naming ``path`` and ``line`` in its message and attributes."""
    with pytest.raises(FormatError, match=match) as info:
        yield
    assert (info.value.path, info.value.line) == (str(path), line), str(info.value)
    assert str(info.value).startswith(f"{path}:{line}:")


# ----------------------------------------------------------------------------- GLUE TSV
def test_sst2_single_sentences_with_int_labels():
    data = load_glue_tsv(FIX / "sst2_train.tsv")
    assert len(data) == 3 and data.label_names == ["0", "1"]
    assert data[0].text == "it is a charming and often affecting journey . " and data[0].text_pair is None
    assert [e.label for e in data] == [1, 0, 0]


def test_test_split_without_labels_has_label_none_and_ids():
    data = load_glue_tsv(FIX / "sst2_test.tsv")
    assert [e.label for e in data] == [None, None] and [e.id for e in data] == ["0", "1"]
    assert data.label_names is None


def test_string_labels_map_through_label_names():
    data = load_glue_tsv(FIX / "named_labels.tsv", label_names=["negative", "positive"])
    assert [e.label for e in data] == [1, 0] and data.num_labels == 2


def test_mrpc_real_header_is_mapped_and_quotes_are_kept():
    data = load_glue_tsv(FIX / "mrpc_train.tsv")
    assert [e.label for e in data] == [1, 0]
    assert data[0].text.startswith("Amrozi accused his brother , whom he called \" the witness \"")
    assert data[0].text_pair.startswith("Referring to him")
    test = load_glue_tsv(FIX / "mrpc_test.tsv")
    assert test[0].label is None and test[0].text_pair.endswith("report to So .") and test[0].id == "0"


def test_wrong_column_count_names_file_and_line():
    with raises_at(FIX / "bad_columns.tsv", 3, "expected 2 tab-separated columns"):
        load_glue_tsv(FIX / "bad_columns.tsv")


def test_unknown_label_names_file_and_line():
    with raises_at(FIX / "bad_label.tsv", 3, "unknown label 'maybe'"):
        load_glue_tsv(FIX / "bad_label.tsv")
    with raises_at(FIX / "named_labels.tsv", 2, "unknown label 'positive'"):
        load_glue_tsv(FIX / "named_labels.tsv")  # string labels without label_names
    with raises_at(FIX / "sst2_train.tsv", 2, "out of range"):
        load_glue_tsv(FIX / "sst2_train.tsv", label_names=["negative"])


# ----------------------------------------------------------------------------- NLI
def test_snli_jsonl_skips_and_counts_dash_rows(caplog):
    with caplog.at_level(logging.WARNING):
        data = load_nli(FIX / "snli.jsonl")
    assert data.label_names == NLI_LABELS == ["entailment", "neutral", "contradiction"]
    assert [NLI_LABELS[e.label] for e in data] == ["neutral", "contradiction", "entailment"]
    assert data.skipped == {"label '-'": 1, "blank line": 1}
    assert "skipped 1 rows (label '-')" in caplog.text  # reported, not silent
    assert data[0].text == "A person on a horse jumps over a broken down airplane."
    assert data[2].text_pair == "A person is outdoors, on a horse." and data[2].id == "3416050480.jpg#4r1e"


def test_mnli_tsv_uses_gold_label_and_counts_dash():
    data = load_nli(FIX / "mnli_train.tsv")
    assert [NLI_LABELS[e.label] for e in data] == ["neutral", "entailment", "contradiction"]
    assert data.skipped == {"label '-'": 1}
    assert data[0].text_pair == "Product and geography are what make cream skimming work. "
    test = load_nli(FIX / "mnli_test.tsv")
    assert len(test) == 1 and test[0].label is None


def test_nli_with_another_label_set(tmp_path):
    path = tmp_path / "rte.tsv"
    path.write_text("index\tsentence1\tsentence2\tlabel\n0\tA dog runs.\tAn animal moves.\tentailment\n"
                    "1\tA dog runs.\tA cat sleeps.\tnot_entailment\n")
    data = load_nli(path, label_names=["entailment", "not_entailment"])
    assert [e.label for e in data] == [0, 1] and data.label_names == ["entailment", "not_entailment"]
    with raises_at(path, 3, "unknown label 'not_entailment'"):
        load_nli(path)


def test_bad_json_and_unknown_nli_label_name_the_line():
    with raises_at(FIX / "bad_json.jsonl", 3, "bad JSON"):
        load_nli(FIX / "bad_json.jsonl")
    with raises_at(FIX / "bad_nli_label.jsonl", 1, "unknown label 'happy'"):
        load_nli(FIX / "bad_nli_label.jsonl")


# ----------------------------------------------------------------------------- CoNLL
def test_iob1_to_bio_rule():
    assert iob1_to_bio(["I-PER", "I-PER", "O", "I-LOC", "I-ORG", "B-ORG", "I-ORG"]) == \
        ["B-PER", "I-PER", "O", "B-LOC", "B-ORG", "B-ORG", "I-ORG"]
    bio = ["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-LOC"]
    assert iob1_to_bio(bio) == bio  # BIO passes through unchanged


def test_conll2003_four_columns_iob1_converted_to_bio():
    data = load_conll(FIX / "conll2003_iob1.txt")
    assert [e.tokens[0] for e in data] == ["EU", "Peter", "In"]
    assert data[0].tags == ["B-ORG", "O", "B-MISC", "O", "O", "O", "B-MISC", "O", "O"]
    assert data[1].tags == ["B-PER", "I-PER"]
    # two adjacent PER entities: IOB1 marks the second with B-, which BIO keeps
    assert data[2].tags == ["O", "B-LOC", "O", "B-PER", "I-PER", "O", "B-PER", "I-PER", "O"]
    assert data.changed == {"IOB1 tags rewritten as B-": 6}
    assert data.label_names == ["O", "B-LOC", "B-MISC", "B-ORG", "B-PER", "I-PER"]
    assert [e.id for e in data] == ["1-0", "1-1", "2-2"]  # document - sentence


def test_conll_two_columns_bio():
    data = load_conll(FIX / "ner_bio_2col.txt")
    assert data[0].tokens == "Barack Obama was born in Hawaii .".split()
    assert data[0].tags == ["B-PER", "I-PER", "O", "O", "O", "B-LOC", "O"]
    assert data[1].tags == ["O", "B-ORG", "I-ORG", "O", "O", "B-LOC", "I-LOC", "O"]
    assert data.changed == {}


def test_conll_with_a_given_label_list():
    names = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC"]
    data = load_conll(FIX / "ner_bio_2col.txt", label_names=names)
    assert data.label_names == names
    with raises_at(FIX / "ner_bio_2col.txt", 10, "unknown tag 'B-ORG'"):
        load_conll(FIX / "ner_bio_2col.txt", label_names=["O", "B-PER", "I-PER", "B-LOC", "I-LOC"])


def test_conll_column_count_and_tag_errors_name_the_line():
    with raises_at(FIX / "bad_conll_columns.txt", 5, "expected 4 columns"):
        load_conll(FIX / "bad_conll_columns.txt")
    with raises_at(FIX / "bad_conll_tag.txt", 3, "unknown tag 'E-LOC'"):
        load_conll(FIX / "bad_conll_tag.txt")


# ----------------------------------------------------------------------------- SQuAD
def test_squad_v1_keeps_every_answer_at_its_offset():
    data = load_squad(FIX / "squad_v1.json")
    assert [e.id for e in data] == ["q1", "q2", "q3"]
    q1 = data[0]
    assert q1.question == "What is the capital of France?" and q1.title == "France"
    assert [(a.text, a.answer_start) for a in q1.answers] == [("Paris", 25), ("Paris", 25), ("Paris", 32)]
    for e in data:
        assert not e.is_impossible
        for a in e.answers:
            assert e.context[a.answer_start:a.answer_start + len(a.text)] == a.text
    assert len(data[1].answers) == 2


def test_squad_v2_impossible_questions():
    data = load_squad(FIX / "squad_v2.json")
    assert [e.is_impossible for e in data] == [False, True, True]
    assert data[1].answers == [] and [a.text for a in data[1].plausible_answers] == ["Paris"]
    assert data[2].plausible_answers == []


def test_squad_wrong_offset_names_question_and_line():
    path = FIX / "bad_squad_offset.json"
    line = next(i for i, l in enumerate(path.read_text().splitlines(), 1) if '"id": "q3"' in l)
    with raises_at(path, line, r"question 'q3': answer 'Hawaii' is not at answer_start 27"):
        load_squad(path)


def test_squad_answerless_question_must_be_impossible():
    path = FIX / "bad_squad_no_answer.json"
    line = next(i for i, l in enumerate(path.read_text().splitlines(), 1) if '"id": "a3"' in l)
    with raises_at(path, line, "'a3' has no answers"):
        load_squad(path)


def test_squad_bad_json_names_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"version": "1.1",\n "data": [\n  {"title": "x",}\n ]}\n')
    with raises_at(path, 3, "bad JSON"):
        load_squad(path)


# ----------------------------------------------------------------------------- SWAG
def test_swag_csv_with_quotes_and_multiline_fields():
    data = load_swag(FIX / "swag.csv")
    assert len(data) == 2 and data.label_names == ["0", "1", "2", "3"]
    assert data[0].context.startswith("Members of the procession") and data[0].start == "A drum line"
    assert data[0].label == 0 and len(data[0].endings) == 4 and data[0].id == "3416"
    assert data[1].context == 'He says, "come on", and smiles.' and data[1].endings[1] == "sits down,\nthen stands."
    assert data[1].label == 2
    assert [e.label for e in load_swag(FIX / "swag_test.csv")] == [None, None]


def test_swag_errors_name_the_line():
    with raises_at(FIX / "bad_swag.csv", 3, "expected 12 columns"):
        load_swag(FIX / "bad_swag.csv")
    with raises_at(FIX / "bad_swag_label.csv", 3, "label 4 out of range"):
        load_swag(FIX / "bad_swag_label.csv")


# ----------------------------------------------------------------------------- summaries, parallel
def test_summaries_xsum_cnndm_and_extractive():
    data = load_summaries(FIX / "summaries.jsonl")
    assert data[0].summary == "Roads closed after heavy rain." and data[0].sentences is None
    assert data[1].document == "Stocks rose on Friday. Banks led the gains."  # CNN-DM's article/highlights
    assert data[2].summary_indices == [0, 2] and len(data[2].sentences) == 4
    assert data[3].document == data[2].document and data[3].sentences == data[2].sentences


def test_summary_indices_are_checked():
    with raises_at(FIX / "bad_summary_indices.jsonl", 1, "summary_indices"):
        load_summaries(FIX / "bad_summary_indices.jsonl")


def test_parallel_tsv_and_jsonl():
    tsv = load_parallel(FIX / "parallel.tsv")
    assert [(e.source, e.target) for e in tsv] == [("the cat is black .", "le chat est noir ."),
                                                  ("I like apples .", "j'aime les pommes .")]
    assert tsv.skipped == {"blank line": 1}
    jsonl = load_parallel(FIX / "parallel.jsonl")
    assert jsonl[1].source == "the dog sleeps ." and jsonl[1].target == "le chien dort ."
    reverse = load_parallel(FIX / "parallel.jsonl", source_lang="fr", target_lang="en")
    assert reverse[0].source == "le chat est noir ."
    with raises_at(FIX / "parallel.jsonl", 1, "'translation' must map 'en' and 'de'"):
        load_parallel(FIX / "parallel.jsonl", target_lang="de")
    with raises_at(FIX / "bad_parallel.tsv", 2, "2 columns"):
        load_parallel(FIX / "bad_parallel.tsv")


def test_each_task_loads_its_format():
    assert get_task("ner").load(FIX / "ner_bio_2col.txt")[0].tags[0] == "B-PER"
    named = get_task("text-classification").load(FIX / "named_labels.tsv", label_names=["negative", "positive"])
    assert named[0].label == 1
    with pytest.raises(ValueError, match="unknown task 'pos'"):
        get_task("pos")


# ----------------------------------------------------------------------------- Hugging Face column mapping
def test_hf_rows_mapping_on_local_dicts():
    sst2 = hf_rows_to_examples([{"sentence": "great", "label": 1, "idx": 0},
                                {"sentence": "hidden", "label": -1, "idx": 1}], "text-classification")
    assert [(e.text, e.label, e.id) for e in sst2] == [("great", 1, "0"), ("hidden", None, "1")]
    snli = hf_rows_to_examples([{"premise": "A man.", "hypothesis": "A person.", "label": 0},
                                {"premise": "A man.", "hypothesis": "?", "label": -1}], "nli")
    assert len(snli) == 1 and snli[0].text_pair == "A person." and snli.skipped == {"label -1": 1}
    qnli = hf_rows_to_examples([{"question": "Who?", "sentence": "Him.", "label": 1, "idx": 3}], "nli")
    assert (qnli[0].text, qnli[0].text_pair) == ("Who?", "Him.")
    names = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
    ner = hf_rows_to_examples([{"id": "0", "tokens": ["Barack", "Obama", "in", "Hawaii"],
                                "ner_tags": [1, 2, 0, 5]}], "ner", label_names=names)
    assert ner[0].tags == ["B-PER", "I-PER", "O", "B-LOC"] and ner.label_names == names
    squad = hf_rows_to_examples([{"id": "a", "title": "t", "context": "Paris is big.", "question": "What?",
                                  "answers": {"text": ["Paris"], "answer_start": [0]}},
                                 {"id": "b", "title": "t", "context": "x", "question": "?",
                                  "answers": {"text": [], "answer_start": []}}], "qa")
    assert squad[0].answers[0].text == "Paris" and squad[1].is_impossible
    swag = hf_rows_to_examples([{"sent1": "A", "sent2": "B", "ending0": "c", "ending1": "d", "ending2": "e",
                                 "ending3": "f", "label": 3, "fold-ind": "7"}], "multiple-choice")
    assert swag[0].endings == ["c", "d", "e", "f"] and swag[0].label == 3
    cnn = hf_rows_to_examples([{"article": "A. B.", "highlights": "A.", "id": "z"}], "summarization")
    assert cnn[0].summary == "A."
    wmt = hf_rows_to_examples([{"translation": {"fr": "le chat", "en": "the cat"}}], "translation")
    assert (wmt[0].source, wmt[0].target) == ("the cat", "le chat")
    with pytest.raises(FormatError, match="row 0: not a qa row"):
        hf_rows_to_examples([{"sentence": "x"}], "qa")
    with pytest.raises(FormatError, match="hf:glue/sst2:train: no text column"):
        hf_rows_to_examples([{"text": "x", "label": 0}], "text-classification", source="hf:glue/sst2:train")
    with pytest.raises(ValueError, match="NER rows need label_names"):
        hf_rows_to_examples([{"tokens": ["a"], "ner_tags": [0]}], "ner")


def test_missing_text_columns_are_named(tmp_path):
    path = tmp_path / "nli.jsonl"
    path.write_text('\n{"premise_text": "A man.", "hyp": "A person.", "gold_label": "neutral"}\n')
    with raises_at(path, 2, "no text column among"):
        load_nli(path)
    tsv = tmp_path / "odd.tsv"
    tsv.write_text("text\tlabel\nhello\t1\n")
    with raises_at(tsv, 2, r"no text column among \['label', 'text'\]"):
        load_glue_tsv(tsv)
