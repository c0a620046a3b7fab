"""Data parallel training: 2 CPU processes with gloo give what 1 process with accumulation gives.

The two processes are started with ``torch.multiprocessing.spawn`` and the environment variables
``torchrun`` sets (RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT), so the trainer joins the
process group exactly as under ``torchrun``. One spawn runs every 2-process scenario (starting
processes is the slow part); the checks run here, in the test process.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torch.multiprocessing as mp
from test_trainer import TinyRegressor, ToyDataset

from minibert import distributed
from minibert.trainer import ResumableSampler, Trainer, TrainingArguments, load_checkpoint, read_metrics

STEPS, CUT = 8, 5  # 40 examples, global batch 8: 5 steps an epoch, so the run crosses an epoch boundary
ROOT = Path(__file__).resolve().parents[1]


class Crash(Exception):
    pass


def make_trainer(out: Path, per_device: int, accumulation: int, crash_at: int | None = None,
                 model_seed: int = 0) -> Trainer:
    torch.manual_seed(model_seed)
    args = TrainingArguments(output_dir=out, max_steps=STEPS, per_device_train_batch_size=per_device,
                             gradient_accumulation_steps=accumulation, learning_rate=1e-2, warmup_steps=2,
                             save_steps=2, device="cpu", bf16=False, disable_tqdm=True, seed=3)
    trainer = Trainer(TinyRegressor(), args, ToyDataset())
    if crash_at is not None:
        def crash(outputs, batch):
            if trainer.step == crash_at:
                raise Crash
            return {}

        trainer.metrics_fn = crash
    return trainer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def two_process_scenarios(rank: int, world_size: int, port: int, tmp: str) -> None:
    os.environ.update(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(world_size),
                      MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.set_num_threads(1)
    tmp_path = Path(tmp)
    # 1. uninterrupted: 4 examples per process and step, 2 processes: a global batch of 8
    full = make_trainer(tmp_path / "full", per_device=4, accumulation=1)
    full.train()
    if rank == 0:
        torch.save(full.model.state_dict(), tmp_path / "full.pt")
    # 2. the same run, crashed after step 5 (last checkpoint: step 4), then resumed in a new trainer
    try:
        make_trainer(tmp_path / "cut", per_device=4, accumulation=1, crash_at=CUT).train()
    except Crash:
        pass
    distributed.barrier()
    if rank == 0:
        shutil.copytree(tmp_path / "cut", tmp_path / "cut_for_one_process")
    resumed = make_trainer(tmp_path / "cut", per_device=4, accumulation=1, model_seed=123)
    resumed.train(resume=True)
    if rank == 0:
        torch.save(resumed.model.state_dict(), tmp_path / "resumed.pt")
    distributed.cleanup()


@pytest.fixture(scope="module")
def two_process_runs(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("ddp")
    mp.spawn(two_process_scenarios, args=(2, free_port(), str(tmp)), nprocs=2, join=True)
    return tmp


def assert_weights_close(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor], exact: bool = False) -> None:
    assert a.keys() == b.keys()
    for name in a:
        if exact:
            assert torch.equal(a[name], b[name]), name
        else:
            torch.testing.assert_close(a[name], b[name], atol=1e-6, rtol=1e-5, msg=lambda m: f"{name}: {m}")


def test_two_processes_equal_one_process_with_accumulation(two_process_runs, tmp_path):
    one = make_trainer(tmp_path, per_device=4, accumulation=2)
    one.train()
    two = torch.load(two_process_runs / "full.pt", weights_only=True)
    assert_weights_close(one.model.state_dict(), two)
    ours, theirs = read_metrics(tmp_path), read_metrics(two_process_runs / "full")
    assert [r["step"] for r in theirs] == list(range(1, STEPS + 1))  # rank 0 alone wrote the metrics
    assert [r["lr"] for r in ours] == [r["lr"] for r in theirs]      # the same schedule
    for a, b in zip(ours, theirs):
        assert a["loss"] == pytest.approx(b["loss"], rel=1e-5)        # the loss of the global batch


def test_a_resumed_two_process_run_equals_an_uninterrupted_one(two_process_runs):
    full = torch.load(two_process_runs / "full.pt", weights_only=True)
    resumed = torch.load(two_process_runs / "resumed.pt", weights_only=True)
    assert_weights_close(full, resumed, exact=True)
    assert [r["loss"] for r in read_metrics(two_process_runs / "cut")] == \
        [r["loss"] for r in read_metrics(two_process_runs / "full")]


def test_a_two_process_checkpoint_resumes_on_one_process(two_process_runs):
    checkpoint = load_checkpoint(two_process_runs / "cut_for_one_process" / "checkpoint.pt")
    assert checkpoint["step"] == 4 and checkpoint["position"] == {"epoch": 0, "samples": 4 * 8}  # global
    one = make_trainer(two_process_runs / "cut_for_one_process", per_device=4, accumulation=2, model_seed=7)
    one.train(resume=True)
    assert_weights_close(one.model.state_dict(), torch.load(two_process_runs / "full.pt", weights_only=True))


def test_each_rank_reads_its_own_slice_of_the_global_batch():
    one = ResumableSampler(40, batch_size=8, seed=5)
    ranks = [ResumableSampler(40, batch_size=4, seed=5, rank=r, world_size=2) for r in range(2)]
    for _ in range(12):  # more than an epoch
        epoch, expected = one.next_indices()
        got = [s.next_indices() for s in ranks]
        assert [e for e, _ in got] == [epoch, epoch]
        assert got[0][1] + got[1][1] == expected
    assert len(ranks[0]) == len(one) == 5


def test_a_sampler_position_moves_across_world_sizes():
    two = ResumableSampler(40, batch_size=4, seed=5, rank=1, world_size=2)
    for _ in range(3):
        two.next_indices()
    one = ResumableSampler(40, batch_size=4, seed=5)
    one.load_position(two.position())  # 3 global batches of 8 = 24 samples = 6 batches of 4
    assert one.state_dict() == {"epoch": 0, "batch": 6}
    odd = ResumableSampler(40, batch_size=5, seed=5)
    with pytest.raises(ValueError, match="24 samples"):
        odd.load_position(two.position())


def test_a_single_process_is_not_distributed(monkeypatch):
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    state = distributed.setup("cpu")
    assert (state.rank, state.world_size, state.is_main, state.distributed) == (0, 1, True, False)
    assert distributed.all_reduce_mean({"loss": 2.0}, state.device) == {"loss": 2.0}


def test_torchrun_runs_minibert_pretrain_on_two_processes(tmp_path):
    from minibert.course.corpus import course_vocab_dir
    from minibert.course.datagen.stories import write_corpus

    corpus = write_corpus(tmp_path / "corpus.txt", 40, seed=2)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port",
               str(free_port()), "-m", "minibert", "pretrain", "--corpus", str(corpus), "--vocab", str(course_vocab_dir()), "--preset", "tiny",
               "--steps", "3", "--batch-size", "4", "--max-seq-length", "32", "--device", "cpu", "--no-bf16",
               "--out", str(tmp_path / "out")]
    proc = subprocess.run(command, env=env, capture_output=True, text=True,
                          timeout=600)  # a hang guard only: the step takes seconds
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert [r["step"] for r in read_metrics(tmp_path / "out")] == [1, 2, 3]
    assert (tmp_path / "out" / "config.json").is_file()
    assert proc.stdout.count("saved to") == 1  # rank 0 alone reports and writes
