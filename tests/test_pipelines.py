"""Pipelines: raw strings in, the documented structures out; and `minibert predict` on them."""
import dataclasses
import json
import warnings

import pytest
import torch

from minibert import cli
from minibert.config import BertConfig
from minibert.heads import (
    BertForPreTraining,
    BertForQuestionAnswering,
    BertForSequenceClassification,
    BertForTokenClassification,
)
from minibert.tasks import finetune as ft
from minibert.tasks.classification import TextClassificationPipeline
from minibert.tasks.fill_mask import FillMaskPipeline
from minibert.tasks.ner import NerPipeline
from minibert.tasks.pipelines import pipeline
from minibert.tasks.qa import QuestionAnsweringPipeline
from minibert.tasks.windows import stitch_windows
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
    """A tiny model fine-tuned on the first course NER dev sentences (which include Barack Obama's: the held-out
    dev set is where he is; this tests the pipeline, not generalisation)."""
    d = tmp_path_factory.mktemp("ner")
    tiny(BertForPreTraining, tok, d / "pretrained")
    sentences = open("data/tasks/ner/dev.txt", encoding="utf-8").read().split("\n\n")
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


def context_free_tagger(tok, positions: int) -> BertForTokenClassification:
    """A random tagger whose prediction for a token depends on that token only: no position vectors, and
    every layer's attention and feed-forward outputs zeroed (each block adds nothing to its residual)."""
    labels = {0: "O", 1: "B-PER", 2: "I-PER", 3: "B-LOC", 4: "I-LOC"}
    model = tiny(BertForTokenClassification, tok, id2label=labels)  # 64 positions
    with torch.no_grad():
        model.bert.embeddings.position_embeddings.weight.zero_()
        for layer in model.bert.encoder.layer:
            for block in (layer.attention.output, layer.output):
                block.dense.weight.zero_()
                block.dense.bias.zero_()
    if positions == 64:
        return model
    longer = BertForTokenClassification(dataclasses.replace(model.config, max_position_embeddings=positions))
    state = model.state_dict()
    state["bert.embeddings.position_embeddings.weight"] = torch.zeros(positions, model.config.hidden_size)
    longer.load_state_dict(state)
    return longer


def test_ner_reads_a_long_text_in_windows(tok):
    text = " ".join([CONTEXT, "Angela Merkel visited Berlin, then Barack Obama flew to Hawaii."] * 6)
    assert len(tok(text)["input_ids"]) > 3 * 64  # windows of 64 positions: five or more
    windowed = pipeline("ner", context_free_tagger(tok, 64), tokenizer=tok)
    whole = pipeline("ner", context_free_tagger(tok, 512), tokenizer=tok)  # the same tagger, in one window
    expected = whole(text)
    assert len(expected) > 20 and expected[-1]["end"] > len(text) - 20  # entities up to the end of the text
    for stride in (None, 1, 40):  # each token is tagged once, from one window, and put back in its place
        found = windowed(text, stride=stride)
        assert [(e["entity_group"], e["start"], e["end"]) for e in found] == \
            [(e["entity_group"], e["start"], e["end"]) for e in expected]
        assert [e["score"] for e in found] == pytest.approx([e["score"] for e in expected], abs=1e-5)


@pytest.mark.parametrize("stride", [1, 16, 40])
def test_windows_are_stitched_from_the_window_with_the_most_context(tok, stride):
    text = " ".join([CONTEXT] * 8)
    enc = tok(text, truncation=True, max_length=64, stride=stride, return_overflowing_tokens=True,
              return_word_ids=True, return_offsets_mapping=True)
    windows = len(enc["input_ids"])
    # As "probabilities", each window's own index: the stitched rows tell which window each token came from.
    probs = [torch.full((len(ids), 1), float(w)) for w, ids in enumerate(enc["input_ids"])]
    word_ids, offsets, rows = stitch_windows(enc["word_ids"], enc["offset_mapping"], probs, stride, "text")
    whole = tok(text, return_word_ids=True, return_offsets_mapping=True)
    assert word_ids == whole["word_ids"][1:-1] and offsets == [tuple(o) for o in whole["offset_mapping"][1:-1]]
    step = 62 - stride  # content tokens per window (64 - [CLS] - [SEP]) minus the shared ones
    for position, row in enumerate(rows[:, 0].long().tolist()):
        seen_in = [w for w in range(windows) if w * step <= position < w * step + 62]
        context = {w: min(position - w * step, w * step + 61 - position) for w in seen_in}
        assert context[row] == max(context.values())  # (ties: the longer window, then the earlier)
    assert windows >= 3 and rows[-1, 0] == windows - 1


def test_ner_structure_with_an_untrained_model(tok):
    labels = {0: "O", 1: "B-PER", 2: "I-PER", 3: "B-LOC", 4: "I-LOC"}
    find = pipeline("token-classification", tiny(BertForTokenClassification, tok, id2label=labels), tokenizer=tok)
    text = "  Angela   Merkel visited   Paris, then Berlin!  " * 20  # longer than the window
    for e in find(text):
        assert text[e["start"]:e["end"]] == e["word"] and e["entity_group"] in {"PER", "LOC"}


def test_pipeline_errors():
    with pytest.raises(ValueError, match="unknown pipeline task 'summarise'"):
        pipeline("summarise", "minilm")
    with pytest.raises(ValueError, match="needs model=: a directory written by `minibert finetune ner`"):
        pipeline("ner")
    with pytest.raises(ValueError, match="written by `minibert pretrain`"):
        pipeline("fill-mask")


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
