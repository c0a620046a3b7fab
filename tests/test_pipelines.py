"""Pipelines: raw strings in, the documented structures out; and `minibert predict` on them."""
import json
import warnings

import pytest
import torch

from minibert import cli
from minibert.config import BertConfig
from minibert.heads import (BertForPreTraining, BertForQuestionAnswering, BertForSequenceClassification,
                            BertForTokenClassification)
from minibert.tasks import finetune as ft
from minibert.tasks.pipelines import (FillMaskPipeline, NerPipeline, QuestionAnsweringPipeline,
                                      TextClassificationPipeline, pipeline)
from minibert.tokenizer import BertTokenizer

CONTEXT = "The capital of France is Paris. Most people in France speak French. Paris is famous for the Eiffel Tower."


@pytest.fixture(scope="module")
def tok():
    return BertTokenizer.from_pretrained("data/vocab/course-8k")


def tiny(model_class, tok, directory=None, **overrides):
    """A random tiny model (saved with its tokenizer to ``directory`` when given)."""
    torch.manual_seed(0)
    model = model_class(BertConfig.from_preset("tiny", vocab_size=len(tok), max_position_embeddings=64, **overrides))
    if directory is not None:
        model.save_pretrained(directory)
        tok.save_pretrained(directory)
    return model


@pytest.fixture(scope="module")
def ner_dir(tmp_path_factory, tok):
    """A tiny model fine-tuned on the first course NER sentences (which include Barack Obama's)."""
    d = tmp_path_factory.mktemp("ner")
    tiny(BertForPreTraining, tok, d / "pretrained")
    sentences = open("data/tasks/ner/train.txt", encoding="utf-8").read().split("\n\n")
    (d / "train.txt").write_text("\n\n".join(sentences[:160]) + "\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the new classifier
        ft.finetune("ner", d / "pretrained", d / "train.txt", out_dir=d / "model", epochs=3, lr=3e-3,
                    batch_size=16, seed=0, bf16=False, show_progress=False)
    return d / "model"


def test_fill_mask_returns_ranked_guesses_with_sequences(tmp_path, tok):
    tiny(BertForPreTraining, tok, tmp_path)
    fill = pipeline("fill-mask", tmp_path)
    assert isinstance(fill, FillMaskPipeline)
    guesses = fill("the cat sat on the [MASK] .", top_k=3)
    assert [set(g) for g in guesses] == [{"score", "token", "token_str", "sequence"}] * 3
    scores = [g["score"] for g in guesses]
    assert scores == sorted(scores, reverse=True) and 0 < sum(scores) <= 1
    ids = tok("the cat sat on the [MASK] .")["input_ids"][1:-1]  # without [CLS] and [SEP]
    for g in guesses:
        assert tok.convert_ids_to_tokens(g["token"]) == g["token_str"]
        assert g["sequence"] == tok.decode([g["token"] if i == tok.mask_token_id else i for i in ids])
    two = fill(["the [MASK] sat on the [MASK] .", "a [MASK] ."], top_k=2)
    assert len(two) == 2 and len(two[0]) == 2 and len(two[0][0]) == 2  # per text, per mask, per guess
    assert "[MASK]" in two[0][0][0]["sequence"]  # the other mask stays visible
    with pytest.raises(ValueError, match=r"no \[MASK\]"):
        fill("nothing to fill")


def test_fill_mask_needs_an_mlm_head():
    with pytest.raises(ValueError, match="no masked-LM head"):
        pipeline("fill-mask", "minilm")


def test_text_classification_labels_and_scores(tok):
    model = tiny(BertForSequenceClassification, tok, id2label={0: "entailment", 1: "neutral", 2: "contradiction"})
    classify = pipeline("nli", model, tokenizer=tok)
    assert isinstance(classify, TextClassificationPipeline)
    one = classify(("A man is sleeping.", "A man is awake."))
    assert set(one) == {"label", "score"} and one["label"] in {"entailment", "neutral", "contradiction"}
    every = classify({"text": "A man is sleeping.", "text_pair": "A man is awake."}, top_k=None)
    assert [r["label"] for r in every][0] == one["label"]
    assert sum(r["score"] for r in every) == pytest.approx(1.0) and every[0]["score"] == pytest.approx(one["score"])
    batch = classify(["a single sentence", ("a", "pair")])
    assert len(batch) == 2 and all(set(r) == {"label", "score"} for r in batch)
    with pytest.raises(ValueError, match="non-empty string"):
        classify("  ")


def test_question_answering_spans_point_into_the_context(tok):
    answer = QuestionAnsweringPipeline(tiny(BertForQuestionAnswering, tok), tok)
    result = answer(question="What is the capital of France?", context=CONTEXT)
    assert set(result) == {"answer", "score", "start", "end"}
    assert CONTEXT[result["start"]:result["end"]] == result["answer"] != "" and 0 < result["score"] <= 1
    top = answer({"question": "What is Paris famous for?", "context": CONTEXT}, top_k=3)
    assert len(top) == 3 and [t["score"] for t in top] == sorted((t["score"] for t in top), reverse=True)


def test_question_answering_reads_a_long_context_in_windows(tok):
    model = tiny(BertForQuestionAnswering, tok)  # 64 positions: the context needs several windows
    answer = QuestionAnsweringPipeline(model, tok)
    long_context = " ".join([CONTEXT] * 12)
    assert len(tok(long_context)["input_ids"]) > 4 * 64
    results = answer([{"question": "What is the capital of France?", "context": long_context}] * 2)
    assert results[0] == results[1]
    assert long_context[results[0]["start"]:results[0]["end"]] == results[0]["answer"]


def test_question_answering_with_a_null_threshold_can_answer_nothing(tok):
    model = tiny(BertForQuestionAnswering, tok)
    model.config.extra["null_threshold"] = -1e9  # tuned on a v2 dev set where "no answer" always won
    result = QuestionAnsweringPipeline(model, tok)(question="Who?", context=CONTEXT)
    assert result["answer"] == "" and result["start"] == result["end"] == 0 and 0.5 <= result["score"] <= 1


def test_ner_entities_on_raw_text(ner_dir):
    find = pipeline("ner", ner_dir)
    assert isinstance(find, NerPipeline)
    text = "Barack Obama was born in Hawaii."
    entities = find(text)
    assert [(e["entity_group"], e["word"]) for e in entities] == [("PER", "Barack Obama"), ("LOC", "Hawaii")]
    for e in entities:
        assert set(e) == {"entity_group", "word", "start", "end", "score"}
        assert text[e["start"]:e["end"]] == e["word"] and 0 < e["score"] <= 1


def test_ner_structure_with_an_untrained_model(tok):
    labels = {0: "O", 1: "B-PER", 2: "I-PER", 3: "B-LOC", 4: "I-LOC"}
    find = pipeline("token-classification", tiny(BertForTokenClassification, tok, id2label=labels), tokenizer=tok)
    text = "  Angela   Merkel visited   Paris, then Berlin!  " * 20  # longer than the window: cut
    for e in find(text):
        assert text[e["start"]:e["end"]] == e["word"] and e["entity_group"] in {"PER", "LOC"}


def test_pipeline_errors():
    with pytest.raises(ValueError, match="unknown pipeline task 'summarise'"):
        pipeline("summarise", "minilm")
    with pytest.raises(ValueError, match="needs model="):
        pipeline("ner")


def run_cli(monkeypatch, *argv):
    if "minibert.tasks.cli" not in cli.COMMAND_MODULES:
        monkeypatch.setattr(cli, "COMMAND_MODULES", cli.COMMAND_MODULES + ["minibert.tasks.cli"])
    return cli.main([str(a) for a in argv])


def test_predict_command_on_a_string_and_a_file(monkeypatch, capsys, tmp_path, ner_dir, tok):
    assert run_cli(monkeypatch, "predict", "ner", "--model", ner_dir, "--text", "Barack Obama was born in Hawaii.") == 0
    printed = capsys.readouterr().out
    assert "'Barack Obama'" in printed and "'PER'" in printed

    tiny(BertForQuestionAnswering, tok, tmp_path / "qa")
    (tmp_path / "questions.txt").write_text(f"What is the capital of France?\t{CONTEXT}\nWho?\t{CONTEXT}\n")
    assert run_cli(monkeypatch, "predict", "qa", "--model", tmp_path / "qa", "--file", tmp_path / "questions.txt") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(set(json.loads(line)) == {"answer", "score", "start", "end"} for line in lines)

    assert run_cli(monkeypatch, "predict", "qa", "--model", tmp_path / "qa", "--text", "Who?") == 1
    assert "needs a context" in capsys.readouterr().err
