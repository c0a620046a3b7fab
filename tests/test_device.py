"""The device and precision a run uses, and the one switch that makes a bf16 CPU run as a laptop does."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import torch

from minibert.device import CPU_BF16_SWITCH, cpu_has_bf16_units, cpu_has_fast_bf16, resolve_device, use_bf16

CPU = torch.device("cpu")


def test_the_switch_turns_cpu_bf16_off(monkeypatch):
    monkeypatch.setenv(CPU_BF16_SWITCH, "0")
    assert not cpu_has_fast_bf16()
    assert use_bf16("auto", CPU) is False
    assert use_bf16(False, CPU) is False


def test_without_the_switch_bf16_follows_the_hardware(monkeypatch):
    monkeypatch.delenv(CPU_BF16_SWITCH, raising=False)
    assert use_bf16("auto", CPU) == cpu_has_bf16_units()
    monkeypatch.setenv(CPU_BF16_SWITCH, "auto")
    assert use_bf16("auto", CPU) == cpu_has_bf16_units()


def test_asking_for_emulated_bf16_is_a_clear_error(monkeypatch):
    monkeypatch.setenv(CPU_BF16_SWITCH, "0")
    with pytest.raises(ValueError, match="bf16 would be emulated"):
        use_bf16(True, CPU)


def test_a_bad_switch_value_names_the_switch(monkeypatch):
    monkeypatch.setenv(CPU_BF16_SWITCH, "maybe")
    with pytest.raises(ValueError, match="MINIBERT_CPU_BF16='maybe'"):
        cpu_has_fast_bf16()
    with pytest.raises(ValueError, match="bf16 must be True, False or 'auto'"):
        use_bf16("sometimes", torch.device("meta"))


def test_resolve_device():
    assert resolve_device("cpu") == CPU
    assert resolve_device("auto").type in ("cpu", "cuda", "mps")


def test_make_test_runs_as_a_cpu_without_bf16():
    """`make test` sets the switch, so lessons and tests compute in fp32 on every machine; CPU_BF16=1 allows bf16."""
    root = Path(__file__).resolve().parents[1]
    # Run as a fresh `make`: under `make test CPU_BF16=1` the parent's variables would reach the child.
    inherited = ("MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES", "MAKELEVEL", "CPU_BF16")
    env = {k: v for k, v in os.environ.items() if k not in inherited}
    plain = subprocess.run(["make", "-n", "test"], cwd=root, capture_output=True, text=True, check=True,
                           env=env).stdout
    allowed = subprocess.run(["make", "-n", "test", "CPU_BF16=1"], cwd=root, capture_output=True, text=True,
                             check=True, env=env).stdout
    pytest_line = [line for line in plain.splitlines() if "-m pytest" in line]
    assert pytest_line and all(f"{CPU_BF16_SWITCH}=0" in line for line in pytest_line), plain
    assert f"{CPU_BF16_SWITCH}=1" in allowed
