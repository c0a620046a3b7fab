"""bench/gpu_check runs end to end in its CPU dry mode (toy sizes), so it is ready when a GPU is lent."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_gpu_check_dry_run_passes_every_step(tmp_path):
    results = tmp_path / "gpu_results.md"
    env = {**os.environ, "PYTHON": sys.executable}
    proc = subprocess.run(["bash", str(ROOT / "bench" / "gpu_check.sh"), "--dry", "--results", str(results),
                           "--work", str(tmp_path / "work")], env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    table = results.read_text(encoding="utf-8")
    for step in ("environment", "parity", "speed", "prepare", "pretrain"):
        assert f"| {step} | ok |" in table, table
    assert "| finetune | ok |" in table or "| finetune | skipped |" in table
    assert "2/2 cases pass" in table and "mlm_accuracy" in table and "tokens/s" in table
