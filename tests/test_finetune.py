"""Fine-tuning: features, collators, the length-grouped sampler, resume, and each task end to end (tiny models)."""
import json
import warnings

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from minibert import cli
from minibert.config import BertConfig
from minibert.heads import BertForPreTraining, BertForSequenceClassification, BertForTokenClassification
from minibert.tasks import classification
from minibert.tasks import finetune as ft
from minibert.tasks.batching import LengthGroupedSampler, feature_length, input_padding, model_outputs
from minibert.tasks.classification import TextExample, load_glue_tsv
from minibert.tasks.registry import get_task
from minibert.tokenizer import BertTokenizer
from minibert.trainer import ResumableSampler, Trainer, TrainingArguments, load_checkpoint, read_metrics

DATA = "data/tasks"


@pytest.fixture(scope="module")
def tok():
    return BertTokenizer.from_pretrained("data/vocab/course-8k")


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory, tok):
    """A 'pre-training output': random tiny BertForPreTraining weights + the course tokenizer."""
    directory = tmp_path_factory.mktemp("tiny")
    torch.manual_seed(0)
    BertForPreTraining(BertConfig.from_preset("tiny", vocab_size=len(tok), max_position_embeddings=128)
                       ).save_pretrained(directory)
    tok.save_pretrained(directory)
    return directory


@pytest.fixture(scope="module")
def slices(tmp_path_factory):
    """The first examples of each course dataset, written back in its public format."""
    d = tmp_path_factory.mktemp("data")
    files = {}
    for name, source, rows in [("sentiment", "sentiment/{}.tsv", 97), ("nli", "nli/{}.jsonl", 96)]:
        for split in ("train", "dev"):
            lines = open(f"{DATA}/{source.format(split)}", encoding="utf-8").read().splitlines()
            path = d / f"{name}_{split}.{source.rsplit('.', 1)[1]}"
            path.write_text("\n".join(lines[:rows if split == "train" else 41]) + "\n", encoding="utf-8")
            files[name, split] = path
    for split, n in (("train", 120), ("dev", 40)):
        sentences = open(f"{DATA}/ner/{split}.txt", encoding="utf-8").read().split("\n\n")
        files["ner", split] = d / f"ner_{split}.txt"
        files["ner", split].write_text("\n\n".join(sentences[:n]) + "\n", encoding="utf-8")
        for version in ("qa", "qa_v2"):
            squad = json.load(open(f"{DATA}/{version}/{split}.json", encoding="utf-8"))
            squad["data"] = squad["data"][:3 if split == "train" else 2]
            files[version, split] = d / f"{version}_{split}.json"
            files[version, split].write_text(json.dumps(squad), encoding="utf-8")
        for name, source, rows in [("multiple_choice", "multiple_choice/{}.csv", 41),
                                   ("summarization", "summarization/{}.jsonl", 24),
                                   ("translation", "translation/{}.tsv", 64)]:
            lines = open(f"{DATA}/{source.format(split)}", encoding="utf-8").read().splitlines()
            header = 1 if name == "multiple_choice" else 0  # the SWAG CSV's column names
            files[name, split] = d / f"{name}_{split}.{source.rsplit('.', 1)[1]}"
            files[name, split].write_text("\n".join(lines[:header + (rows if split == "train" else rows // 4)]) + "\n",
                                          encoding="utf-8")
    return files


# ------------------------------------------------------------------------------------------- features


def test_single_and_pair_features(tok):
    single = classification.classification_features([TextExample("a good film", label=1)], tok)[0]
    assert single["labels"] == 1
    assert single["input_ids"][0] == tok.cls_token_id and single["input_ids"][-1] == tok.sep_token_id
    assert set(single["token_type_ids"]) == {0}
    pair = classification.classification_features([TextExample("a man sleeps .", "he is awake .", 2)], tok)[0]
    n_first = len(tok.tokenize("a man sleeps ."))
    assert pair["token_type_ids"] == [0] * (n_first + 2) + [1] * (len(pair["input_ids"]) - n_first - 2)
    assert pair["input_ids"].count(tok.sep_token_id) == 2


def test_pairs_are_cut_to_max_length_and_unlabelled_examples_have_no_labels(tok):
    long = " ".join(["word"] * 200)
    feature = classification.classification_features([TextExample(long, long)], tok, max_length=32)[0]
    assert len(feature["input_ids"]) == 32 and "labels" not in feature
    with pytest.raises(ValueError, match="pairs and some single"):
        classification.classification_features([TextExample("a", "b"), TextExample("c")], tok)


def test_collator_pads_to_the_longest_in_the_batch(tok):
    features = classification.classification_features(
        [TextExample("short", label=0), TextExample("a somewhat longer sentence here", label=1)], tok)
    batch = classification.classification_collator(tok.pad_token_id)(features)
    longest = max(len(f["input_ids"]) for f in features)
    assert batch["input_ids"].shape == batch["attention_mask"].shape == (2, longest)
    assert batch["labels"].tolist() == [0, 1]
    assert batch["attention_mask"][0].sum() == len(features[0]["input_ids"])
    assert (batch["input_ids"][0, len(features[0]["input_ids"]):] == tok.pad_token_id).all()


def test_task_features_and_batches(tok, slices):
    """Each task's training batch has the shapes and label keys its model expects."""
    for task, key in [("text-classification", "sentiment"), ("nli", "nli"), ("ner", "ner"), ("qa", "qa")]:
        spec = get_task(task)
        data = spec.load(slices[key, "train"])
        features = spec.features(data.examples[:8], tok, 64, data.label_names, True)
        batch = spec.collator(tok.pad_token_id)(features[:4])
        B, T = batch["input_ids"].shape
        assert B == 4 and T == max(feature_length(f) for f in features[:4]) <= 64
        if task == "ner":
            assert batch["labels"].shape == (B, T) and (batch["labels"][:, 0] == -100).all()
        elif task == "qa":
            assert batch["start_positions"].shape == batch["end_positions"].shape == (B,)
            assert (batch["start_positions"] <= batch["end_positions"]).all()
        else:
            assert batch["labels"].shape == (B,)
            assert batch["labels"].max() < len(data.label_names)


def test_model_outputs_restores_order_and_drops_padding(tok):
    torch.manual_seed(0)
    model = BertForTokenClassification(BertConfig.from_preset("tiny", vocab_size=len(tok), num_labels=3)).eval()
    texts = ["one", "a much longer text than the others", "two words", "three little words"]
    features = classification.classification_features([TextExample(t) for t in texts], tok)
    out = model_outputs(model, features, input_padding(tok.pad_token_id), 3, ["logits"], per_token=True)
    for feature, logits in zip(features, out["logits"]):
        alone = model(torch.tensor([feature["input_ids"]])).logits[0]
        assert logits.shape == (len(feature["input_ids"]), 3)
        torch.testing.assert_close(logits, alone, atol=1e-5, rtol=1e-5)


# --------------------------------------------------------------------------------------------- sampler


@settings(max_examples=25, deadline=None)
@given(lengths=st.lists(st.integers(1, 200), min_size=1, max_size=300), batch_size=st.integers(1, 16),
       mult=st.integers(1, 5), epoch=st.integers(0, 3))
def test_length_grouped_sampler_yields_every_index_once_per_epoch(lengths, batch_size, mult, epoch):
    sampler = LengthGroupedSampler(lengths, batch_size, seed=3, mega_batch_mult=mult)
    order = sampler.permutation(epoch).tolist()
    assert sorted(order) == list(range(len(lengths)))
    # The first batch holds the longest sequence (of the full batches; the one short batch comes last).
    whole = order[:len(order) // batch_size * batch_size] or order
    assert max(lengths[i] for i in order[:batch_size]) == max(lengths[i] for i in whole)


def test_length_grouped_sampler_groups_lengths_and_reshuffles():
    g = torch.Generator().manual_seed(0)
    lengths = torch.randint(5, 120, (2000,), generator=g).tolist()
    grouped = LengthGroupedSampler(lengths, 32, seed=1)
    random = ResumableSampler(len(lengths), 32, seed=1, drop_last=False)
    random_efficiency = sum(lengths) / sum(len(b) * max(lengths[i] for i in b.tolist())
                                           for b in random.permutation(0).split(32))
    assert grouped.padding_efficiency(0) > 0.9 > 0.6 > random_efficiency
    assert not torch.equal(grouped.permutation(0), grouped.permutation(1))  # new batches each epoch
    assert torch.equal(grouped.permutation(1), LengthGroupedSampler(lengths, 32, seed=1).permutation(1))
    batches = [b.tolist() for b in grouped.permutation(0).split(32)]
    assert len(batches) == len(grouped) == 63  # 2000 / 32, the last one short
    # The batches are not in length order (no short-to-long curriculum).
    maxima = [max(lengths[i] for i in b) for b in batches]
    assert maxima != sorted(maxima) and maxima != sorted(maxima, reverse=True)


def test_length_grouped_sampler_drop_last_drops_only_the_short_batch():
    sampler = LengthGroupedSampler(list(range(1, 103)), 10, seed=0, drop_last=True)
    assert len(sampler) == 10
    taken = [sampler.next_indices()[1] for _ in range(10)]
    assert all(len(b) == 10 for b in taken) and len({i for b in taken for i in b}) == 100
    assert sampler.next_indices()[0] == 1  # the 11th batch starts epoch 1


# ---------------------------------------------------------------------------------------------- resume


def test_resume_through_the_trainer_continues_with_the_next_grouped_batch(tmp_path, tok, slices, tiny_dir):
    spec = get_task("text-classification")
    data = spec.load(slices["sentiment", "train"])
    features = spec.features(data.examples, tok, 64, data.label_names, True)

    def make(out):
        torch.manual_seed(0)
        model = BertForSequenceClassification(BertConfig.from_pretrained(tiny_dir))
        args = TrainingArguments(out, max_steps=6, per_device_train_batch_size=8, learning_rate=1e-3, seed=5,
                                 save_steps=2, drop_last=False, disable_tqdm=True, bf16=False)
        sampler = LengthGroupedSampler([feature_length(f) for f in features], 8, seed=5)
        return Trainer(model, args, features, collate_fn=spec.collator(tok.pad_token_id), sampler=sampler)

    full = make(tmp_path / "full")
    full.train()
    crashing = make(tmp_path / "cut")

    def crash(outputs, batch):
        if crashing.step == 3:
            raise KeyboardInterrupt
        return {}

    crashing.metrics_fn = crash
    with pytest.raises(KeyboardInterrupt):
        crashing.train()
    assert load_checkpoint(tmp_path / "cut" / "checkpoint.pt")["step"] == 2
    resumed = make(tmp_path / "cut")
    resumed.train(resume=True)
    assert [r["loss"] for r in read_metrics(tmp_path / "cut")] == [r["loss"] for r in read_metrics(tmp_path / "full")]
    for a, b in zip(full.model.state_dict().values(), resumed.model.state_dict().values()):
        assert torch.equal(a, b)


# ------------------------------------------------------------------------------------------ end to end


def run_cli(monkeypatch, *argv):
    if "minibert.tasks.cli" not in cli.COMMAND_MODULES:
        monkeypatch.setattr(cli, "COMMAND_MODULES", cli.COMMAND_MODULES + ["minibert.tasks.cli"])
    return cli.main([str(a) for a in argv])


@pytest.mark.parametrize("task,key,scores", [
    ("text-classification", "sentiment", {"accuracy", "macro_f1"}),
    ("nli", "nli", {"accuracy", "macro_f1"}),
    ("ner", "ner", {"precision", "recall", "f1", "token_accuracy"}),
    ("qa", "qa", {"exact_match", "f1"}),
    ("qa", "qa_v2", {"exact_match", "f1", "HasAns_f1", "NoAns_f1", "null_threshold"}),
    ("multiple-choice", "multiple_choice", {"accuracy"}),
    ("summarization", "summarization", {"rouge1", "rouge2", "rougeL", "lead_rouge1"}),
    ("translation", "translation", {"bleu", "bleu_original"}),
])
def test_finetune_each_task_through_the_cli(monkeypatch, tmp_path, capsys, slices, tiny_dir, task, key, scores):
    out = tmp_path / "run"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        status = run_cli(monkeypatch, "finetune", task, "--model", tiny_dir, "--train", slices[key, "train"],
                         "--dev", slices[key, "dev"], "--out", out, "--max-steps", 4, "--batch-size", 8,
                         "--max-length", 64, "--lr", "1e-3")
    assert status == 0
    printed = capsys.readouterr().out
    assert f"{task} dev:" in printed and "saved to" in printed
    # A pre-training output: its MLM/NSP heads are dropped, the task head is new, and one warning says so.
    loading = [str(w.message) for w in caught if "newly initialised" in str(w.message)]
    assert len(loading) == 1 and "cls.predictions" in loading[0]

    metrics = json.loads((out / "metrics.json").read_text())
    assert scores <= metrics.keys() and metrics["train_steps"] == 4
    assert all(0 <= metrics[k] <= 100 for k in scores if k != "null_threshold")
    assert len(read_metrics(out)) == 4 and not (out / "checkpoint.pt").exists()
    spec = get_task(task)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every weight is in the saved directory
        model = spec.model_class.from_pretrained(out)
    assert model.config.extra["finetuning_task"] == task
    assert BertTokenizer.from_pretrained(out).vocab == BertTokenizer.from_pretrained(tiny_dir).vocab
    if spec.has_labels:
        names = set(spec.load(slices[key, "train"]).label_names)
        assert names <= set(model.config.id2label.values()) and model.config.num_labels == len(model.config.id2label)
    if key == "qa_v2":
        assert model.config.extra["null_threshold"] == metrics["null_threshold"]

    # ... and the fine-tuned folder answers a raw string through `minibert predict`.
    assert run_cli(monkeypatch, "predict", task, "--model", out, *PREDICT_ARGS[task]) == 0
    answer = capsys.readouterr().out.strip()
    assert answer and "Traceback" not in answer


DOCUMENT = ("A new library opened in Rosario on Sunday. Children from three schools came to visit. "
            "The library has twenty thousand books. Rosario is a city in Argentina.")
PREDICT_ARGS = {
    "text-classification": ["--text", "not bad at all"],
    "nli": ["--text", "A man is playing football.", "--pair", "Nobody is playing."],
    "ner": ["--text", "Barack Obama was born in Hawaii."],
    "qa": ["--text", "What is the capital of France?", "--context", "Paris is the capital of France."],
    "multiple-choice": ["--text", "Zoe's horse was hungry. She gave it", "--choices", "a book.|some hay.|a cup."],
    "summarization": ["--text", DOCUMENT],
    "translation": ["--text", "the old girl is running ."],
}


def test_ner_labels_include_tags_seen_only_in_dev(tmp_path, tiny_dir):
    (tmp_path / "train.txt").write_text("Obama B-PER\nspoke O\n\nParis B-LOC\n", encoding="utf-8")
    (tmp_path / "dev.txt").write_text("Google B-ORG\nhired O\nObama B-PER\n", encoding="utf-8")
    metrics = ft.finetune("ner", tiny_dir, tmp_path / "train.txt", tmp_path / "dev.txt", out_dir=tmp_path / "o",
                          max_steps=1, batch_size=2, show_progress=False, bf16=False)
    labels = BertConfig.from_pretrained(tmp_path / "o").id2label
    assert labels == {0: "O", 1: "B-LOC", 2: "B-PER", 3: "B-ORG"} and 0 <= metrics["f1"] <= 1


def test_learning_happens_on_a_separable_toy_set(tmp_path, tiny_dir):
    """Sentences whose label is whether they contain 'good' or 'bad': 16 steps learn it."""
    g = torch.Generator().manual_seed(0)
    fillers = "the a film book room staff view was is very quite really".split()

    def rows(n):
        for i in range(n):
            words = [fillers[j] for j in torch.randint(len(fillers), (4,), generator=g).tolist()]
            words.insert(int(torch.randint(5, (1,), generator=g)), "good" if i % 2 else "bad")
            yield f"{' '.join(words)}\t{i % 2}"

    for split, n in (("train", 128), ("dev", 64)):
        (tmp_path / f"{split}.tsv").write_text("sentence\tlabel\n" + "\n".join(rows(n)) + "\n", encoding="utf-8")
    metrics = ft.finetune("text-classification", tiny_dir, tmp_path / "train.tsv", tmp_path / "dev.tsv",
                          out_dir=tmp_path / "o", epochs=2, lr=3e-3, batch_size=16, seed=0, show_progress=False,
                          label_names=["negative", "positive"], bf16=False)
    assert metrics["accuracy"] >= 0.95 and metrics["macro_f1"] >= 0.95
    assert BertConfig.from_pretrained(tmp_path / "o").id2label == {0: "negative", 1: "positive"}


def test_random_init_ignores_the_pretrained_weights(tmp_path, tiny_dir, slices):
    spec = get_task("text-classification")
    pretrained = ft.build_model(spec, tiny_dir, ["0", "1"])
    torch.manual_seed(1)
    scratch = ft.build_model(spec, tiny_dir, ["0", "1"], random_init=True)
    word = "bert.embeddings.word_embeddings.weight"
    assert not torch.equal(pretrained.state_dict()[word], scratch.state_dict()[word])
    assert pretrained.config == scratch.config


def test_bad_requests_are_clear_errors(tmp_path, tiny_dir, slices):
    with pytest.raises(ValueError, match="unknown task 'sentiment'"):
        ft.finetune("sentiment", tiny_dir, slices["sentiment", "train"], out_dir=tmp_path)
    with pytest.raises(ValueError, match="needs a training file"):
        ft.finetune("nli", tiny_dir, out_dir=tmp_path)
    (tmp_path / "unlabelled.tsv").write_text("sentence\nno label here\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no labels to train on"):
        ft.finetune("text-classification", tiny_dir, tmp_path / "unlabelled.tsv", out_dir=tmp_path)
    assert load_glue_tsv(slices["sentiment", "dev"]).label_names == ["0", "1"]
