import warnings
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from minibert.config import BertConfig
from minibert.modeling import BertModel
from minibert.tasks import summarization as su
from minibert.tasks.metrics import rouge
from minibert.tasks.summarization import SummaryExample, load_summaries

DATA = Path(__file__).resolve().parents[1] / "data" / "tasks" / "summarization"


pytestmark = pytest.mark.usefixtures("one_thread")  # tests/conftest.py


@pytest.fixture(scope="module")
def dev():
    return load_summaries(DATA / "dev.jsonl").examples


def tiny_config() -> BertConfig:
    return BertConfig(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64,
                      max_position_embeddings=256)


# --------------------------------------------------------------------------- features


def test_every_sentence_gets_its_own_cls(tok, dev):
    for example in dev[:5]:
        feature = su.encode_document(example.sentences, tok, max_length=512)
        ids, segments, positions = feature["input_ids"], feature["token_type_ids"], feature["cls_positions"]
        assert len(positions) == len(example.sentences)
        assert [i for i, t in enumerate(ids) if t == tok.cls_token_id] == positions
        ends = positions[1:] + [len(ids)]
        for n, (start, end, sentence) in enumerate(zip(positions, ends, example.sentences)):
            assert ids[start:end] == tok(sentence)["input_ids"]  # [CLS] sentence [SEP]
            assert segments[start:end] == [n % 2] * (end - start)  # interval segments
        assert feature["sentence_mask"] == [1] * len(positions)


def test_sentences_that_do_not_fit_are_dropped_and_announced(tok, dev):
    example = dev[0]
    full = su.encode_document(example.sentences, tok, max_length=512)
    with pytest.warns(UserWarning, match="longer than max_length=40"):
        [feature] = su.summary_features([example], tok, max_length=40)
    kept = len(feature["cls_positions"])
    assert 1 <= kept < len(example.sentences) and len(feature["input_ids"]) <= 40
    assert feature["input_ids"] == full["input_ids"][:len(feature["input_ids"])]
    assert len(feature["labels"]) == kept


def test_a_first_sentence_longer_than_max_length_is_cut(tok):
    feature = su.encode_document(["word " * 50 + ".", "Next one."], tok, max_length=16)
    assert len(feature["input_ids"]) == 16 and feature["cls_positions"] == [0]
    assert feature["input_ids"][-1] == tok.sep_token_id


def test_labels_mark_the_summary_sentences(tok, dev):
    features = su.summary_features(dev[:4], tok)
    for example, feature in zip(dev, features):
        assert [i for i, y in enumerate(feature["labels"]) if y == 1.0] == example.summary_indices


def test_the_greedy_oracle_recovers_extractive_references(dev):
    hits = sum(su.oracle_indices(e.sentences, e.summary) == e.summary_indices for e in dev[:20])
    assert hits == 20


def test_documents_without_sentences_are_split(tok):
    example = SummaryExample("The club won. Fans sang all night! Was it the best day? Yes.", "The club won.")
    assert su.document_sentences(example) == ["The club won.", "Fans sang all night!", "Was it the best day?", "Yes."]
    [feature] = su.summary_features([example], tok)
    assert feature["labels"] == [1.0, 0.0, 0.0, 0.0]  # the oracle, from the abstract reference


def test_batches_pad_tokens_and_sentences(tok, dev):
    features = su.summary_features(dev[:3], tok)
    batch = su.summary_collator(tok.pad_token_id)(features)
    S = max(len(f["cls_positions"]) for f in features)
    T = max(len(f["input_ids"]) for f in features)
    assert batch["input_ids"].shape == (3, T)
    assert batch["cls_positions"].shape == batch["labels"].shape == batch["sentence_mask"].shape == (3, S)
    assert batch["labels"].dtype == torch.float32
    assert batch["sentence_mask"].sum().item() == sum(len(f["cls_positions"]) for f in features)


# --------------------------------------------------------------------------- model


def test_model_scores_each_sentence_and_masks_padding(tok, dev):
    torch.manual_seed(0)
    model = su.BertForExtractiveSummarization(tiny_config()).eval()
    features = su.summary_features(dev[:3], tok)
    batch = su.summary_collator(tok.pad_token_id)(features)
    out = model(**batch)
    assert out.logits.shape == batch["labels"].shape and torch.isfinite(out.loss)
    padding = batch["sentence_mask"] == 0
    assert padding.any() and (out.logits[padding] == torch.finfo(out.logits.dtype).min).all()
    # One document alone gets the same scores as in the padded batch.
    alone = model(**su.summary_collator(tok.pad_token_id)(features[:1])).logits
    n = len(features[0]["cls_positions"])
    torch.testing.assert_close(alone[0, :n], out.logits[0, :n], atol=1e-5, rtol=0)


def test_from_pretrained_keeps_the_encoder_and_adds_a_scorer(tmp_path):
    torch.manual_seed(0)
    bert = BertModel(tiny_config())
    bert.save_pretrained(tmp_path)
    with pytest.warns(UserWarning, match="newly initialised.*classifier"):
        model = su.BertForExtractiveSummarization.from_pretrained(tmp_path)
    torch.testing.assert_close(model.bert.encoder.layer[0].output.dense.weight,
                               bert.encoder.layer[0].output.dense.weight)
    model.save_pretrained(tmp_path / "again")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # everything found: no warning
        again = su.BertForExtractiveSummarization.from_pretrained(tmp_path / "again")
    torch.testing.assert_close(again.classifier.weight, model.classifier.weight)


def test_a_few_steps_on_course_documents_lower_the_loss(tok):
    train = load_summaries(DATA / "train.jsonl").examples[:16]
    features = su.summary_features(train, tok, max_length=256)
    batch = su.summary_collator(tok.pad_token_id)(features)
    torch.manual_seed(0)
    model = su.BertForExtractiveSummarization(tiny_config())
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    losses = []
    for _ in range(20):
        loss = model(**batch).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    assert losses[-1] < 0.8 * losses[0]


# --------------------------------------------------------------------------- choosing and scoring


def test_top_k_keeps_document_order():
    sentences = [f"Sentence number {i} is here." for i in range(5)]
    assert su.select_sentences([0.1, 0.9, 0.5, 0.8, 0.2], sentences, k=2) == [1, 3]
    assert su.select_sentences([0.1, 0.9, 0.5, 0.8, 0.2], sentences, k=3) == [1, 2, 3]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-10, 10), min_size=1, max_size=12, unique=True), st.integers(1, 5))
def test_top_k_is_the_k_best_in_order(scores, k):
    sentences = [f"words {i}" for i in range(len(scores))]
    chosen = su.select_sentences(scores, sentences, k)
    assert chosen == sorted(sorted(range(len(scores)), key=lambda i: -scores[i])[:k])


def test_trigram_blocking_skips_a_repetition():
    sentences = ["The club won the cup on Monday.", "The club won the cup again.", "Fans sang all night."]
    scores = [0.9, 0.8, 0.1]
    assert su.select_sentences(scores, sentences, k=2) == [0, 1]
    assert su.select_sentences(scores, sentences, k=2, trigram_blocking=True) == [0, 2]


def test_lead_baseline_on_the_course_data(dev):
    k = su.typical_summary_length(dev)
    assert k == 2  # every course summary has two sentences
    lead = su.lead_baseline(dev, k)
    assert 0 < lead["rouge2"] < lead["rouge1"] < 1 and 0 < lead["rougeL"] <= lead["rouge1"]
    oracle = rouge([" ".join(e.sentences[i] for i in e.summary_indices) for e in dev], [e.summary for e in dev])
    assert oracle["rouge1"] == pytest.approx(1.0) and oracle["rouge2"] > lead["rouge2"]


def test_evaluate_and_predict(tok, dev):
    torch.manual_seed(0)
    model = su.BertForExtractiveSummarization(tiny_config()).eval()
    features = su.summary_features(dev[:6], tok, train=False)
    scores = su.evaluate(model, dev[:6], features)
    assert scores["summary_sentences"] == 2
    assert {"rouge1", "rouge2", "rougeL", "lead_rouge1", "lead_rouge2", "lead_rougeL"} <= set(scores)
    [result] = su.predict(model, tok, [dev[0].document], num_sentences=2)
    indices = result["sentence_indices"]
    assert len(indices) == 2 and indices == sorted(indices)
    assert result["summary_text"] == " ".join(dev[0].sentences[i] for i in indices)
