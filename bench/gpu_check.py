"""The GPU check: everything worth knowing when a GPU is lent, in one call of a few minutes.

Steps (each a subprocess with its own time limit, so one failure or hang never hides the others):

1. environment: nvidia-smi, Python, torch + CUDA, the packages minibert needs (and whether they are there);
2. parity: ``bench/gpu_parity.py``, every model class against transformers on the device, fp32 (TF32 off,
   atol 1e-4) and bf16 (relative to transformers' own bf16 error);
3. speed: ``bench/pretrain_speed.py --size base --dtype bf16``, minibert's BERT-base pre-training step
   against transformers (sdpa): tokens/s, MFU, ratio (targets: >= 1.5x and >= 40% MFU);
4. pre-training: ``minibert prepare`` (shards of the course corpus, one worker per core), then
   ``minibert pretrain`` reading them, a few hundred steps of BERT-small (the full profile's model),
   with its MLM and NSP accuracy;
5. fine-tuning: ``minibert finetune text-classification`` (the course's sentiment task) from the model of
   step 4, if the command exists (MiniLM's weights are not on the GPU machines: nothing is downloaded).

It prints one Markdown table at the end and writes it (with the details) to ``--results``
(default: ``$OUT/gpu_results.md`` where ``$OUT`` is set, else ``bench/gpu_results.md``), in the form of
``bench/RESULTS.md``'s sections. ``--dry`` runs every step on the CPU at toy sizes in seconds: the test
suite runs it, so the script is known to work before a GPU is lent.

    bash bench/gpu_check.sh            # on the GPU machine (within 8 minutes on an H100 or H200)
    python bench/gpu_check.py --dry    # anywhere
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("torch", "transformers", "safetensors", "tqdm", "numpy", "tokenizers")


@dataclass
class Result:
    step: str
    status: str  # "ok" | "FAILED" | "skipped"
    summary: str
    seconds: float
    output: str = ""


def run_step(step: str, command: list[str], timeout: float, env: dict[str, str]) -> Result:
    """Run one command, echoing its output; a non-zero exit or a timeout is a failure, not an exception."""
    print(f"\n=== {step}: {shlex.join(command)}", flush=True)
    start = time.perf_counter()
    try:
        proc = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, timeout=timeout)
        output, ok = proc.stdout, proc.returncode == 0
        status = "ok" if ok else f"FAILED (exit {proc.returncode})"
    except subprocess.TimeoutExpired as err:
        output = err.stdout if isinstance(err.stdout, str) else (err.stdout or b"").decode(errors="replace")
        status = f"FAILED (timeout {timeout:.0f} s)"
    # tqdm redraws with carriage returns: keep the last state of each line
    output = "\n".join(line.rsplit("\r", 1)[-1] for line in output.splitlines())
    print(output[-6000:], flush=True)
    return Result(step, status, "", time.perf_counter() - start, output)


def environment(env: dict[str, str]) -> Result:
    start = time.perf_counter()
    lines = []
    try:
        smi = subprocess.run(["nvidia-smi"], capture_output=True, text=True, timeout=30)
        lines.append(smi.stdout.strip() or smi.stderr.strip())
    except (OSError, subprocess.TimeoutExpired) as err:
        lines.append(f"nvidia-smi: not available ({err})")
    probe = ("import importlib, sys, json\n"
             "found = {}\n"
             f"for name in {PACKAGES!r}:\n"
             "    try:\n"
             "        found[name] = importlib.import_module(name).__version__\n"
             "    except Exception as err:\n"
             "        found[name] = 'MISSING (' + type(err).__name__ + ')'\n"
             "info = {'python': sys.version.split()[0], 'packages': found}\n"
             "try:\n"
             "    import torch\n"
             "    info['cuda'] = torch.version.cuda; info['cuda_available'] = torch.cuda.is_available()\n"
             "    info['gpu'] = torch.cuda.get_device_name() if torch.cuda.is_available() else None\n"
             "except ImportError:\n"
             "    pass\n"
             "print(json.dumps(info))\n")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=ROOT)
    info = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 else {}
    packages = info.get("packages", {})
    missing = [name for name, version in packages.items() if version.startswith("MISSING")]
    summary = (f"Python {info.get('python')}, " + ", ".join(f"{k} {v}" for k, v in packages.items())
               + f", CUDA {info.get('cuda')}, GPU {info.get('gpu')}")
    lines.append(summary)
    print("\n=== environment\n" + "\n".join(lines), flush=True)
    status = "ok" if not missing and proc.returncode == 0 else f"FAILED (missing: {', '.join(missing) or '?'})"
    return Result("environment", status, summary, time.perf_counter() - start, "\n".join(lines))


def table_rows(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("| ") and not line.startswith("| ---")]


def summarize_parity(result: Result) -> None:
    rows = [r for r in table_rows(result.output) if not r.startswith("| case")]
    failed = [r for r in rows if r.rstrip().endswith("no |")]
    worst = max((float(x) for r in rows if not r.rstrip().endswith("no |")
                 for x in re.findall(r"\| ([0-9.]+e[-+][0-9]+) ", r)[:1]), default=float("nan"))
    result.summary = f"{len(rows) - len(failed)}/{len(rows)} cases pass; worst fp32 deviation {worst:.1e}"


def summarize_speed(result: Result) -> None:
    rows = {r.split("|")[1].strip(): [c.strip() for c in r.split("|")[2:-1]]
            for r in table_rows(result.output) if not r.startswith("| contender")}
    parts = [f"{name}: {cells[1]} tok/s, {cells[2]}, MFU {cells[4]}" for name, cells in rows.items() if len(cells) >= 5]
    result.summary = "; ".join(parts)


def summarize_pretrain(result: Result, out: Path) -> None:
    path = out / "metrics.jsonl"
    if not path.is_file():
        return
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    last = records[-1]
    speeds = sorted(r["tokens_per_s"] for r in records[len(records) // 2:])
    keys = ("mlm_accuracy", "nsp_accuracy", "eval_mlm_accuracy", "eval_nsp_accuracy")
    accuracy = ", ".join(f"{k} {last[k]:.3f}" for k in keys if k in last)
    result.summary = (f"{last['step']} steps, loss {records[0]['loss']:.2f} -> {last['loss']:.2f}, {accuracy}, "
                      f"median {speeds[len(speeds) // 2]:,.0f} tokens/s")


def summarize_finetune(result: Result, out: Path) -> None:
    """The dev scores of ``OUT/metrics.json`` (whatever numbers it holds at its top level)."""
    path = out / "metrics.json"
    if path.is_file():
        metrics = json.loads(path.read_text())
        numbers = {k: v for k, v in metrics.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        result.summary = ", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in numbers.items())


def has_command(name: str, env: dict[str, str]) -> bool:
    proc = subprocess.run([sys.executable, "-m", "minibert", name, "--help"], capture_output=True, env=env, cwd=ROOT)
    return proc.returncode == 0


def plan(dry: bool, work: Path, device: str) -> dict[str, list[str]]:
    """The commands of each step: real sizes on the GPU, toy sizes (seconds) with --dry."""
    py = sys.executable
    corpus = str(ROOT / "data" / "corpus" / "course.txt")
    if dry:
        from minibert.course.datagen.stories import write_corpus

        corpus = str(write_corpus(work / "corpus.txt", 60, seed=1))
    vocab = str(ROOT / "data" / "vocab" / "course-8k")
    shards = work / "shards"
    sentiment = ROOT / "data" / "tasks" / "sentiment"
    if dry:
        speed = ["--device", "cpu", "--size", "mini", "--dtype", "fp32", "--batch-size", "2", "--seq", "32",
                 "--warmup", "1", "--iters", "1", "--peak-size", "256", "--no-write"]
        pretrain = ["--preset", "tiny", "--steps", "4", "--batch-size", "4", "--eval-steps", "2", "--device", "cpu",
                    "--eval-corpus", corpus]
        finetune = ["--max-steps", "2", "--batch-size", "4", "--train-limit", "16", "--dev-limit", "8",
                    "--device", "cpu"]
    else:
        speed = ["--device", device, "--size", "base", "--dtype", "bf16", "--results", str(work / "RESULTS.md")]
        pretrain = ["--preset", "small", "--steps", "400", "--batch-size", "128", "--eval-steps", "200",
                    "--device", device, "--eval-corpus", str(ROOT / "data" / "corpus" / "course_dev.txt")]
        finetune = ["--max-steps", "300", "--device", device]  # SST-2-style course sentiment, 4,000 sentences
    return {
        "parity": [py, "bench/gpu_parity.py", "--device", "cpu" if dry else device] + (["--quick"] if dry else []),
        "speed": [py, "bench/pretrain_speed.py", *speed],
        "prepare": [py, "-m", "minibert", "prepare", "--corpus", corpus, "--vocab", vocab,
                    "--out", str(shards)],
        "pretrain": [py, "-m", "minibert", "pretrain", "--corpus", str(shards), "--vocab", vocab, *pretrain,
                     "--save-steps", "0",
                     "--no-keep-checkpoint", "--out", str(work / "pretrained")],
        "finetune": [py, "-m", "minibert", "finetune", "text-classification", "--model", str(work / "pretrained"),
                     "--train", str(sentiment / "train.tsv"), "--dev", str(sentiment / "dev.tsv"),
                     "--out", str(work / "finetuned"), *finetune],
    }


def render(results: list[Result], dry: bool) -> str:
    lines = [f"### GPU check{' (dry run on CPU, toy sizes)' if dry else ''}", "",
             "| step | status | result | seconds |", "| --- | --- | --- | ---: |"]
    for r in results:
        summary = r.summary.replace("|", "/").replace("\n", " ")
        lines.append(f"| {r.step} | {r.status} | {summary} | {r.seconds:.0f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dry", action="store_true", help="CPU, toy sizes, seconds (what the tests run)")
    parser.add_argument("--device", default="cuda")
    out_dir = os.environ.get("OUT")
    default = Path(out_dir) / "gpu_results.md" if out_dir else ROOT / "bench" / "gpu_results.md"
    parser.add_argument("--results", type=Path, default=default, help=f"where the table goes (default {default})")
    parser.add_argument("--work", type=Path, help="folder for shards and models (default: a temporary one)")
    args = parser.parse_args(argv)

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
           "PYTHONUNBUFFERED": "1", "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    if args.dry:
        env["CUDA_VISIBLE_DEVICES"] = ""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        results = [environment(env)]
        if results[0].status != "ok" and "torch" in results[0].status:
            print("torch is missing: nothing else can run (install a CUDA build of torch first)")
        else:
            commands = plan(args.dry, work, args.device)
            limits = {"parity": 180, "speed": 240, "prepare": 120, "pretrain": 240, "finetune": 180}
            for step, command in commands.items():
                if step == "finetune" and not has_command("finetune", env):
                    results.append(Result(step, "skipped", "no `minibert finetune` command in this checkout", 0.0))
                    continue
                if step == "pretrain" and not (work / "shards" / "index.json").is_file():
                    results.append(Result(step, "skipped", "no shards (the prepare step failed)", 0.0))
                    continue
                result = run_step(step, command, limits[step], env)
                {"parity": summarize_parity, "speed": summarize_speed}.get(step, lambda r: None)(result)
                if step == "pretrain":
                    summarize_pretrain(result, work / "pretrained")
                if step == "finetune":
                    summarize_finetune(result, work / "finetuned")
                if step == "prepare":
                    result.summary = (result.output.strip().splitlines() or [""])[-1]  # its closing count line
                results.append(result)
        table = render(results, args.dry)
        details = "\n\n".join(f"#### {r.step}\n\n```\n{r.output[-3000:].strip()}\n```" for r in results if r.output)
        print("\n" + table + f"\n\ntotal {time.perf_counter() - start:.0f} s")
        args.results.parent.mkdir(parents=True, exist_ok=True)
        args.results.write_text(table + "\n\n" + details + "\n", encoding="utf-8")
        print(f"written to {args.results}")
    return 0 if all(r.status in ("ok", "skipped") for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
