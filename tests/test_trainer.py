"""The generic trainer, on a tiny stand-in model (fast, CPU, fp32)."""
from __future__ import annotations

import json
import math
from types import SimpleNamespace

import pytest
import torch
from torch import nn

from minibert import trainer as trainer_module
from minibert.checkpoint import atomic_save, load_checkpoint, rng_state, set_rng_state
from minibert.optim import decay_parameter_names, linear_schedule
from minibert.sampling import ResumableSampler
from minibert.trainer import Trainer, TrainingArguments, TrainingDiverged, read_metrics


class TinyRegressor(nn.Module):
    """Embedding → mean → LayerNorm → dropout → Linear, MSE loss. Names like BERT's."""

    def __init__(self, dropout: float = 0.0, nan_at_call: int | None = None):
        super().__init__()
        self.embeddings = nn.Embedding(16, 8)
        self.LayerNorm = nn.LayerNorm(8)
        self.norm = nn.LayerNorm(8)
        self.dropout = nn.Dropout(dropout)
        self.dense = nn.Linear(8, 8)
        self.out = nn.Linear(8, 1)
        self.calls, self.nan_at_call = 0, nan_at_call

    def forward(self, input_ids, labels):
        self.calls += 1
        h = self.LayerNorm(self.embeddings(input_ids).mean(1))  # (B, 8)
        h = self.dropout(torch.tanh(self.norm(self.dense(h))))
        pred = self.out(h).squeeze(-1)  # (B,)
        loss = nn.functional.mse_loss(pred, labels)
        if self.nan_at_call is not None and self.calls >= self.nan_at_call:
            loss = loss * float("nan")
        return SimpleNamespace(loss=loss, logits=pred)


class ToyDataset:
    """Deterministic examples; records the epochs it was told about (like dynamic masking)."""

    def __init__(self, n: int = 40):
        g = torch.Generator().manual_seed(0)
        self.ids = torch.randint(0, 16, (n, 5), generator=g)
        self.labels = torch.randn(n, generator=g)
        self.epochs: list[int] = []

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return {"input_ids": self.ids[i], "labels": self.labels[i]}

    def set_epoch(self, epoch: int) -> None:
        self.epochs.append(epoch)


def make_args(tmp_path, **overrides) -> TrainingArguments:
    defaults = dict(output_dir=tmp_path, max_steps=8, per_device_train_batch_size=8, learning_rate=1e-2,
                    warmup_steps=2, device="cpu", bf16=False, disable_tqdm=True, seed=3)
    return TrainingArguments(**{**defaults, **overrides})


def make_trainer(tmp_path, model_seed: int = 0, dropout: float = 0.0, dataset=None, model=None, sampler=None,
                 param_groups=None, **overrides) -> Trainer:
    torch.manual_seed(model_seed)
    return Trainer(model or TinyRegressor(dropout), make_args(tmp_path, **overrides), dataset or ToyDataset(),
                   sampler=sampler, param_groups=param_groups)


def test_no_weight_decay_on_biases_and_layernorm():
    model = TinyRegressor()
    assert decay_parameter_names(model) == {"embeddings.weight", "dense.weight", "out.weight"}


def test_optimizer_groups_hold_every_parameter_once(tmp_path):
    t = make_trainer(tmp_path, weight_decay=0.01)
    decayed, plain = t.optimizer.param_groups
    assert decayed["weight_decay"] == 0.01 and plain["weight_decay"] == 0.0
    ids = [id(p) for g in t.optimizer.param_groups for p in g["params"]]
    assert sorted(ids) == sorted(id(p) for p in t.model.parameters())
    assert all(p.dim() == 1 for p in plain["params"])  # biases and LayerNorm gains only


def test_linear_schedule_values():
    values = [linear_schedule(s, warmup_steps=2, total_steps=10) for s in range(10)]
    assert values == pytest.approx([0.5, 1.0, 1.0, 7 / 8, 6 / 8, 5 / 8, 4 / 8, 3 / 8, 2 / 8, 1 / 8])
    assert linear_schedule(10, 2, 10) == 0.0
    assert linear_schedule(0, 0, 4) == 1.0  # no warm-up: start at the peak


def test_logged_learning_rates_follow_lr_at(tmp_path):
    t = make_trainer(tmp_path, warmup_ratio=0.25, warmup_steps=0, max_steps=8)
    t.train()
    assert t.warmup_steps == 2
    assert [r["lr"] for r in read_metrics(tmp_path)] == pytest.approx([t.lr_at(s) for s in range(8)])


def test_gradient_accumulation_matches_one_big_batch(tmp_path):
    big = make_trainer(tmp_path / "big", per_device_train_batch_size=32, gradient_accumulation_steps=1,
                       max_steps=1, warmup_steps=0, max_grad_norm=0.0)
    small = make_trainer(tmp_path / "small", per_device_train_batch_size=16, gradient_accumulation_steps=2,
                         max_steps=1, warmup_steps=0, max_grad_norm=0.0)
    out_big, out_small = big.train(), small.train()
    assert out_big.training_loss == pytest.approx(out_small.training_loss, rel=1e-6)
    for (name, a), b in zip(big.model.named_parameters(), small.model.parameters()):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6, msg=name)
    # and a step really happened
    assert not torch.equal(big.model.out.weight, make_trainer(tmp_path / "x").model.out.weight)


def test_sampler_reshuffles_each_epoch_and_covers_everything():
    s = ResumableSampler(10, batch_size=5, seed=1)
    epochs = [[s.next_indices() for _ in range(2)] for _ in range(2)]
    assert [e for e, _ in epochs[0]] == [0, 0] and [e for e, _ in epochs[1]] == [1, 1]
    first = epochs[0][0][1] + epochs[0][1][1]
    second = epochs[1][0][1] + epochs[1][1][1]
    assert sorted(first) == sorted(second) == list(range(10))
    assert first != second


def test_sampler_resumes_with_the_next_batch():
    a = ResumableSampler(23, batch_size=4, seed=7)  # 5 batches per epoch (drop_last)
    for _ in range(6):
        a.next_indices()
    assert a.state_dict() == {"epoch": 1, "batch": 1}
    b = ResumableSampler(23, batch_size=4, seed=7)
    b.load_state_dict(a.state_dict())
    assert [b.next_indices() for _ in range(6)] == [a.next_indices() for _ in range(6)]


def test_dataset_is_told_each_epoch(tmp_path):
    ds = ToyDataset(16)
    make_trainer(tmp_path, dataset=ds, per_device_train_batch_size=8, max_steps=5).train()
    assert ds.epochs == [0, 1, 2]


def test_metrics_jsonl_has_a_record_per_step(tmp_path):
    def metrics_fn(outputs, batch):
        return {"mean_abs_error": (outputs.logits - batch["labels"]).abs().mean()}

    evaluated = []

    def eval_fn(model):
        evaluated.append(model.training)
        return {"score": 1.5}

    args = make_args(tmp_path, max_steps=6, eval_steps=3)
    Trainer(TinyRegressor(), args, ToyDataset(), metrics_fn=metrics_fn, eval_fn=eval_fn).train()
    records = read_metrics(tmp_path)
    assert [r["step"] for r in records] == [1, 2, 3, 4, 5, 6]
    for r in records:
        assert {"loss", "lr", "tokens_per_s", "grad_norm", "mean_abs_error", "epoch"} <= r.keys()
        assert math.isfinite(r["loss"]) and r["tokens_per_s"] > 0
    assert [r.get("eval_score") for r in records] == [None, None, 1.5, None, None, 1.5]
    assert evaluated == [False, False]  # eval_fn ran in eval mode


def test_resume_reproduces_the_losses_to_the_bit(tmp_path):
    """Run 8 steps; separately crash after step 5 (checkpoint at 3 and 6 would be written), resume to 8."""
    full = make_trainer(tmp_path / "full", dropout=0.3, max_steps=8, save_steps=3)
    full.train()

    class Crash(Exception):
        pass

    crashing = make_trainer(tmp_path / "cut", dropout=0.3, max_steps=8, save_steps=3)

    def crash_after_five(outputs, batch):
        if crashing.step == 5:
            raise Crash
        return {}

    crashing.metrics_fn = crash_after_five
    with pytest.raises(Crash):
        crashing.train()
    assert len(read_metrics(tmp_path / "cut")) == 5
    assert load_checkpoint(tmp_path / "cut" / "checkpoint.pt")["step"] == 3

    # A fresh process would build a differently initialised model: resume must overwrite it all.
    resumed = make_trainer(tmp_path / "cut", model_seed=123, dropout=0.3, max_steps=8, save_steps=3)
    resumed.train(resume=True)
    losses = [r["loss"] for r in read_metrics(tmp_path / "cut")]
    assert losses == [r["loss"] for r in read_metrics(tmp_path / "full")]
    assert len(losses) == 8
    for a, b in zip(full.model.state_dict().values(), resumed.model.state_dict().values()):
        assert torch.equal(a, b)


def test_resume_without_checkpoint_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        make_trainer(tmp_path).train(resume=True)


def test_nan_loss_stops_and_keeps_the_last_good_checkpoint(tmp_path):
    torch.manual_seed(0)
    model = TinyRegressor(nan_at_call=4)
    t = Trainer(model, make_args(tmp_path, save_steps=1), ToyDataset())
    with pytest.raises(TrainingDiverged, match="at step 4"):
        t.train()
    state = load_checkpoint(tmp_path / "checkpoint.pt")
    assert state["step"] == 3
    for name, value in state["model"].items():
        assert torch.isfinite(value).all(), name
        assert torch.equal(value, model.state_dict()[name])  # the NaN step never touched the weights
    assert [r["step"] for r in read_metrics(tmp_path)] == [1, 2, 3]


def test_checkpoint_write_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "checkpoint.pt"
    atomic_save({"step": 1, "w": torch.ones(3)}, path)

    def broken_save(obj, f):
        f.write(b"half a checkpoint")
        raise OSError("disk full")

    monkeypatch.setattr(trainer_module.torch, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        atomic_save({"step": 2, "w": torch.zeros(3)}, path)
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint.pt"]  # no temporary file left
    assert load_checkpoint(path)["step"] == 1


def test_checkpoint_holds_everything_and_loads_weights_only(tmp_path):
    t = make_trainer(tmp_path, max_steps=2)
    t.train()
    state = torch.load(tmp_path / "checkpoint.pt", weights_only=True)
    assert {"model", "optimizer", "scheduler", "step", "sampler", "rng", "args"} <= state.keys()
    assert state["sampler"] == {"epoch": 0, "batch": 2}
    assert json.loads((tmp_path / "training_args.json").read_text())["max_steps"] == 2


def test_rng_state_round_trip():
    import random

    state = rng_state()
    expected = (random.random(), torch.rand(3))
    set_rng_state(state)
    assert random.random() == expected[0] and torch.equal(torch.rand(3), expected[1])


def test_bad_checkpoint_is_a_clear_error(tmp_path):
    bad = tmp_path / "checkpoint.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="cannot read the checkpoint"):
        load_checkpoint(bad)


def test_bf16_autocast_trains_on_cpu(tmp_path, cpu_bf16):
    out = make_trainer(tmp_path, bf16=True, max_steps=2).train()
    assert math.isfinite(out.training_loss)


def test_dataset_smaller_than_a_batch_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="fewer than one batch"):
        make_trainer(tmp_path, dataset=ToyDataset(4), per_device_train_batch_size=8)


def test_a_compile_mode_implies_compiling(tmp_path):
    assert make_args(tmp_path, torch_compile_mode="reduce-overhead").torch_compile
    assert not make_args(tmp_path).torch_compile


def test_checkpoint_of_another_model_is_a_clear_error(tmp_path):
    make_trainer(tmp_path, max_steps=1).train()
    other = Trainer(nn.Linear(2, 1), make_args(tmp_path), ToyDataset())
    with pytest.raises(ValueError, match="does not fit this model"):
        other.load_checkpoint()


def test_training_loss_is_the_mean_over_the_run_as_in_transformers(tmp_path):
    out = make_trainer(tmp_path, max_steps=4).train()
    losses = [record["loss"] for record in read_metrics(tmp_path)]
    assert len(losses) == 4 and out.training_loss == pytest.approx(sum(losses) / 4)
    assert out.training_loss != pytest.approx(losses[-1])


def test_a_sampler_passed_in_sets_the_order_and_the_number_of_steps(tmp_path):
    sampler = ResumableSampler(len(ToyDataset(24)), 4, seed=9, drop_last=True)
    trainer = make_trainer(tmp_path, dataset=ToyDataset(24), per_device_train_batch_size=4, max_steps=-1,
                           num_train_epochs=2, sampler=sampler)
    assert trainer.sampler is sampler and trainer.max_steps == 2 * 24 // 4
    with pytest.raises(ValueError, match="batches of 4 from 24 examples"):
        make_trainer(tmp_path, dataset=ToyDataset(24), per_device_train_batch_size=8, sampler=sampler)


def test_each_process_gets_the_sampler_given_with_its_rank(tmp_path):
    sampler = ResumableSampler(16, 4, seed=1, drop_last=True)
    shard = sampler.for_process(1, 2)
    assert (shard.rank, shard.world_size, sampler.rank) == (1, 2, 0) and shard.permutation(0).tolist() == \
        sampler.permutation(0).tolist()
    assert shard.next_indices()[1] == sampler.permutation(0)[4:8].tolist()
    with pytest.raises(ValueError, match="drop_last=True"):
        ResumableSampler(16, 4, seed=1, drop_last=False).for_process(1, 2)


def test_param_groups_passed_in_reach_the_optimizer(tmp_path):
    model = TinyRegressor()
    groups = [{"params": list(model.parameters()), "lr": 0.5, "weight_decay": 0.0}]
    trainer = make_trainer(tmp_path, model=model, param_groups=groups)
    assert [g["initial_lr"] for g in trainer.optimizer.param_groups] == [0.5]  # the schedule scales it
