#!/usr/bin/env bash
# The GPU check in one call (within 8 minutes on an H100 or H200); see bench/gpu_check.py.
#   bash bench/gpu_check.sh            # on a GPU machine; the table goes to $OUT/gpu_results.md or bench/
#   bash bench/gpu_check.sh --dry      # CPU, toy sizes, seconds
# Needs only torch, transformers, safetensors, tqdm, numpy (it installs nothing; the checkout is put on
# PYTHONPATH). PYTHON picks the interpreter (default: python3, the one that holds torch on the GPU machines).
set -u
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
echo "== $(date -u +%FT%TZ) on $(hostname), $(nproc) cores"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || echo "no nvidia-smi"
if ! "$PY" -c 'import torch' 2>/dev/null; then
    echo "torch is not installed for $PY: install a torch build for this machine first (nothing is downloaded here)"
    exit 2
fi
"$PY" -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda, "available:", torch.cuda.is_available())'
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
exec "$PY" bench/gpu_check.py "$@"
