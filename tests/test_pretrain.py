"""Pre-training end to end on a tiny corpus, fill-mask, and the committed course model."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import torch

from minibert import trainer as trainer_module
from minibert.config import BertConfig
from minibert.coursedata.world import ANIMAL, COUNTRY
from minibert.corpus import course_corpus, course_vocab_dir, write_documents
from minibert.heads import BertForPreTraining
from minibert.pretrain import (
    COURSE_MODEL_COMMAND, COURSE_MODEL_DIR, course_model, course_tokenizer, fill_mask, load_tokenizer, pretrain,
    pretraining_metrics,
)
from minibert.pretraining_data import PretrainingCollator, build_pretraining_dataset
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
    from minibert.shards import prepare_shards

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
    outputs = type(sparse)(prediction_logits=perfect, seq_relationship_logits=sparse.seq_relationship_logits)
    assert pretraining_metrics(outputs, batch)["mlm_accuracy"] == 1.0


def test_fill_mask_returns_top_k_per_mask(trained):
    out, _ = trained
    model, tok = BertForPreTraining.from_pretrained(out), BertTokenizer.from_pretrained(out)
    guesses = fill_mask(model, tok, "the [MASK] sat on the [MASK].", top_k=3)
    assert len(guesses) == 2 and all(len(g) == 3 for g in guesses)
    for g in guesses:
        probs = [p for _, p in g]
        assert probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1 + 1e-6
        assert all(token in tok.vocab for token, _ in g)


def test_fill_mask_without_mask_is_a_clear_error(trained):
    out, _ = trained
    with pytest.raises(ValueError, match=r"no \[MASK\] token"):
        fill_mask(BertForPreTraining.from_pretrained(out), BertTokenizer.from_pretrained(out), "no mask here")


def test_model_and_vocab_together_is_an_error():
    with pytest.raises(ValueError, match="not both"):
        load_tokenizer(model="minilm", vocab="somewhere")



def test_the_course_model_is_what_its_stored_command_makes():
    """COURSE_MODEL_COMMAND, the datasheet's command and the model's own training_args.json agree."""
    args = json.loads((COURSE_MODEL_DIR / "training_args.json").read_text())
    flags = dict(re.findall(r"--([a-z-]+) ([^-\s]\S*)", COURSE_MODEL_COMMAND))  # flags with a value
    assert (int(flags["steps"]), int(flags["batch-size"]), float(flags["lr"]), int(flags["eval-steps"])) == \
        (args["max_steps"], args["per_device_train_batch_size"], args["learning_rate"], args["eval_steps"])
    assert flags["out"] == args["output_dir"] == "data/models/course-tiny"
    datasheet = (Path(__file__).parents[1] / "data" / "README.md").read_text(encoding="utf-8")
    assert COURSE_MODEL_COMMAND in " ".join(datasheet.replace("\\\n", " ").split())

def test_course_model_fills_the_briefs_sentences():
    """The committed course model (data/models/course-tiny) knows the brief's examples."""
    model, tok = course_model(), course_tokenizer()
    animals = {a.lower() for a in ANIMAL}
    top = [token for token, _ in fill_mask(model, tok, "the [MASK] sat on the mat.")[0]]
    assert animals & set(top[:2]), top
    assert fill_mask(model, tok, "i love playing [MASK]. it's my favorite sport.")[0][0][0] == "football"
    # A fact it had to remember: the corpus's geography lessons name each capital once (data/README.md).
    assert fill_mask(model, tok, "the capital of france is [MASK].")[0][0][0] == "paris"
    one_token = [c for c in COUNTRY.values() if c.capital.lower() in tok.vocab]
    right = [c.name for c in one_token
             if fill_mask(model, tok, f"the capital of {c.display.lower()} is [MASK].")[0][0][0] == c.capital.lower()]
    assert len(right) >= 0.75 * len(one_token), right
    assert sum(p.stat().st_size for p in COURSE_MODEL_DIR.iterdir()) <= 10 * 2**20
