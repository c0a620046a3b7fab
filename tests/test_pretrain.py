"""Pre-training end to end on a tiny corpus, and fill-mask on what it wrote (the course model: test_course_models.py)."""
from __future__ import annotations

import pytest
import torch

from minibert import trainer as trainer_module
from minibert.config import BertConfig
from minibert.corpus import write_documents
from minibert.course.corpus import course_corpus, course_vocab_dir
from minibert.heads import BertForPreTraining
from minibert.pretrain import load_tokenizer, pretrain, pretraining_metrics
from minibert.pretraining_data import PretrainingCollator, build_pretraining_dataset
from minibert.tasks.pipelines import pipeline
from minibert.tokenizer import BertTokenizer
from minibert.trainer import read_metrics

TINY = dict(steps=6, batch_size=8, max_seq_length=32, save_steps=3, show_progress=False, seed=1)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_documents(course_corpus("dev")[:30], tmp_path_factory.mktemp("corpus") / "tiny.txt")


@pytest.fixture(scope="module")
def vocab():
    return course_vocab_dir(2000)


@pytest.fixture(scope="module")
def trained(corpus, vocab, tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    result = pretrain(corpus, out, vocab=vocab, **TINY, eval_corpus=corpus)
    return out, result


def test_pretrain_writes_a_folder_transformers_loads(trained):
    transformers = pytest.importorskip("transformers")
    out, _ = trained
    ours = BertForPreTraining.from_pretrained(out)
    theirs = transformers.BertForPreTraining.from_pretrained(out).eval()
    tok = BertTokenizer.from_pretrained(out)
    their_tok = transformers.BertTokenizer.from_pretrained(out)
    text = "the cat sat on the mat."
    enc = tok(text, return_tensors="pt")
    assert enc["input_ids"].tolist() == their_tok(text, return_tensors="pt")["input_ids"].tolist()
    with torch.no_grad():
        a, b = ours(**enc), theirs(**enc)
    torch.testing.assert_close(a.prediction_logits, b.prediction_logits, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(a.seq_relationship_logits, b.seq_relationship_logits, atol=1e-5, rtol=1e-5)


def test_metrics_jsonl_has_losses_accuracies_and_eval(trained):
    out, result = trained
    records = read_metrics(out)
    assert [r["step"] for r in records] == list(range(1, 7))
    for r in records:
        assert 0 <= r["mlm_accuracy"] <= 1 and 0 <= r["nsp_accuracy"] <= 1
        assert r["loss"] == pytest.approx(r["masked_lm_loss"] + r["next_sentence_loss"], rel=1e-4)
    assert "eval_mlm_accuracy" in records[-1] and "eval_nsp_accuracy" in records[-1]
    assert result.global_step == 6
    assert (out / "checkpoint.pt").is_file()


def test_pretrain_resume_reproduces_losses(corpus, vocab, trained, tmp_path, monkeypatch):
    """Crash after step 4 (checkpoint at 3), resume: the same losses, to the bit, as the uninterrupted run."""
    full_out, _ = trained
    original = trainer_module.Trainer._train_step

    def crash_at_step_five(self):
        if self.step == 4:
            raise KeyboardInterrupt
        return original(self)

    monkeypatch.setattr(trainer_module.Trainer, "_train_step", crash_at_step_five)
    with pytest.raises(KeyboardInterrupt):
        pretrain(corpus, tmp_path, vocab=vocab, **TINY, eval_corpus=corpus)
    monkeypatch.setattr(trainer_module.Trainer, "_train_step", original)
    pretrain(corpus, tmp_path, vocab=vocab, **TINY, eval_corpus=corpus, resume=True)
    assert [r["loss"] for r in read_metrics(tmp_path)] == [r["loss"] for r in read_metrics(full_out)]
    assert (tmp_path / "model.safetensors").read_bytes() == (full_out / "model.safetensors").read_bytes()


def test_pretrain_reads_a_shard_folder(corpus, vocab, tmp_path):
    from minibert.corpus import read_documents
    from minibert.prepare import prepare_shards

    shards = tmp_path / "shards"
    prepare_shards(read_documents(corpus), vocab, shards, workers=1, show_progress=False)
    result = pretrain(shards, tmp_path / "out", vocab=vocab, steps=2, batch_size=4, max_seq_length=32,
                      show_progress=False)
    assert result.global_step == 2 and (tmp_path / "out" / "model.safetensors").is_file()


def test_pretraining_metrics_same_for_sparse_and_full_head(corpus, vocab):
    tok = load_tokenizer(vocab=vocab)
    dataset = build_pretraining_dataset(course_corpus("dev")[:10], tok, max_seq_length=32, seed=0)
    batch = PretrainingCollator(tok.pad_token_id)([dataset[i] for i in range(8)])
    torch.manual_seed(0)
    model = BertForPreTraining(BertConfig.from_preset("tiny", vocab_size=len(tok))).eval()
    with torch.no_grad():
        sparse, full = model(**batch, sparse_mlm=True), model(**batch)
    a, b = pretraining_metrics(sparse, batch), pretraining_metrics(full, batch)
    assert a.keys() == b.keys() >= {"mlm_accuracy", "nsp_accuracy"}
    for key in a:
        torch.testing.assert_close(a[key], b[key], atol=1e-5, rtol=1e-5)
    # the accuracy is over masked positions only: all-correct logits give exactly 1
    masked = batch["labels"] != -100
    perfect = torch.nn.functional.one_hot(batch["labels"][masked], len(tok)).float()
    outputs = type(sparse)(masked_prediction_logits=perfect, seq_relationship_logits=sparse.seq_relationship_logits)
    assert pretraining_metrics(outputs, batch)["mlm_accuracy"] == 1.0


def test_fill_mask_on_the_output_returns_top_k_per_mask(trained):
    out, _ = trained
    fill = pipeline("fill-mask", model=out)
    guesses = fill("the [MASK] sat on the [MASK].", top_k=3)
    assert len(guesses) == 2 and all(len(g) == 3 for g in guesses)
    for g in guesses:
        probs = [guess["score"] for guess in g]
        assert probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1 + 1e-6
        assert all(guess["token_str"] in fill.tokenizer.vocab for guess in g)
    with pytest.raises(ValueError, match=r"no \[MASK\] in"):
        fill("no mask here")


def test_model_and_vocab_together_or_neither_is_an_error():
    with pytest.raises(ValueError, match="not both"):
        load_tokenizer(model="minilm", vocab="somewhere")
    with pytest.raises(ValueError, match="a fresh model needs --vocab"):
        load_tokenizer()
