"""Parity with transformers on a GPU (or any device), in fp32 and in bf16, for every model class.

It reuses ``tests/test_parity.py``'s reference models, configs and batches (random-weight transformers
models, perturbed off their initial values; weights reach minibert by save_pretrained ->
from_pretrained), and runs both libraries on ``--device``:

* **fp32**, TF32 off: every output within ``atol 1e-4`` of transformers (the CPU tests use 1e-5; GPU
  kernels sum in other orders, and a 1e-5 bound on outputs of size ~10 is below fp32's rounding there).
* **bf16** autocast, both libraries: bf16 keeps 8 bits of mantissa, so neither matches the fp32 answer
  closely and an absolute tolerance means little. The check is relative to transformers' own bf16
  error: minibert's largest deviation from the fp32 reference must be at most ``2x`` transformers'
  largest deviation from it, plus ``1e-2`` (so that a reference error of ~0 does not demand exactness).

Besides the test configs ("tiny", "odd"), BertModel and BertForPreTraining run at BERT-base size, where
the GPU's real kernels (flash / memory-efficient attention in bf16) are used.

    python bench/gpu_parity.py --device cuda
    python bench/gpu_parity.py --device cpu --quick     # the dry run: a few cases, seconds
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import torch
import transformers

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import test_parity as tp  # noqa: E402  (the reference models and batches of the CPU tests)

FP32_ATOL = 1e-4
BF16_RATIO, BF16_SLACK = 2.0, 1e-2
BASE = dict(vocab_size=30522, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
            intermediate_size=3072, max_position_embeddings=512)


def flat_outputs(output, names: list[str]) -> dict[str, torch.Tensor]:
    """name -> tensor (tuples of tensors become name[i]), in fp32 on the CPU."""
    flat = {}
    for name in names:
        value = output[name]
        items = enumerate(value) if isinstance(value, tuple) else [(None, value)]
        for i, tensor in items:
            flat[name if i is None else f"{name}[{i}]"] = tensor.detach().float().cpu()
    return flat


def max_deviation(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> float:
    return max(float((a[k] - b[k]).abs().max()) for k in b)


def run_case(name: str, config: dict, overrides: dict, device: torch.device) -> dict[str, float]:
    """fp32 and bf16 deviations of one model class and config; raises AssertionError on a failure."""
    reference = tp.reference_model(name, config, overrides)
    with tempfile.TemporaryDirectory() as tmp:
        reference.save_pretrained(tmp)
        ours = tp.minibert_class(name).from_pretrained(tmp)
    reference.config._attn_implementation = "sdpa"  # transformers' fast path, as in pre-training
    reference, ours = reference.to(device).eval(), ours.to(device).eval()
    inputs, labels = tp.make_batch(config, name, overrides)
    batch = {k: v.to(device) for k, v in {**inputs, **labels}.items()}
    with torch.no_grad():
        expected = reference(**batch)
        names = [n for n in tp.output_names(expected) if n not in ("hidden_states", "attentions")]
        fp32_ref, fp32_ours = flat_outputs(expected, names), flat_outputs(ours(**batch), names)
        with torch.autocast(device.type, dtype=torch.bfloat16):
            bf16_ref, bf16_ours = flat_outputs(reference(**batch), names), flat_outputs(ours(**batch), names)
    fp32 = max_deviation(fp32_ours, fp32_ref)
    ref_error, our_error = max_deviation(bf16_ref, fp32_ref), max_deviation(bf16_ours, fp32_ref)
    assert fp32 <= FP32_ATOL, f"{name}: fp32 deviation {fp32:.2e} > {FP32_ATOL}"
    assert our_error <= BF16_RATIO * ref_error + BF16_SLACK, \
        f"{name}: bf16 error {our_error:.2e} > {BF16_RATIO} x transformers' {ref_error:.2e} + {BF16_SLACK}"
    return {"fp32": fp32, "bf16 minibert": our_error, "bf16 transformers": ref_error}


def cases(quick: bool) -> list[tuple[str, str, dict, dict]]:
    """(label, class name, config, overrides)."""
    if quick:
        return [(f"tiny {n}", n, tp.CONFIGS["tiny"], {}) for n in ("BertModel", "BertForPreTraining")]
    found = [(f"{c} {n}{o or ''}", n, tp.CONFIGS[c], o) for c in tp.CONFIGS for n, o in tp.VARIANTS]
    return found + [(f"base {n}", n, BASE, {}) for n in ("BertModel", "BertForPreTraining")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--quick", action="store_true", help="two tiny cases only (the CPU dry run)")
    args = parser.parse_args(argv)
    device = torch.device(args.device)
    transformers.utils.logging.disable_progress_bar()
    torch.backends.cuda.matmul.allow_tf32 = False  # fp32 means fp32
    torch.backends.cudnn.allow_tf32 = False
    failures = 0
    print(f"| case ({device.type}) | fp32 max dev | bf16 minibert vs fp32 | bf16 transformers vs fp32 | ok |")
    print("| --- | ---: | ---: | ---: | --- |")
    for label, name, config, overrides in cases(args.quick):
        try:
            r = run_case(name, config, overrides, device)
            print(f"| {label} | {r['fp32']:.1e} | {r['bf16 minibert']:.1e} | {r['bf16 transformers']:.1e} | yes |")
        except AssertionError as err:
            failures += 1
            print(f"| {label} | FAILED: {err} | | | no |")
    print(f"parity: {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
