"""Seeds, random-number states and checkpoint files (lesson 09).

A checkpoint holds the weights, the optimizer, the schedule, the data position and every RNG state, written
atomically and read back without unpickling code (``weights_only=True``), so a resumed run continues exactly.
"""
from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import torch

from .files import atomic_open

CHECKPOINT_NAME = "checkpoint.pt"


def set_seed(seed: int) -> None:
    """Seed every random number generator a run draws from."""
    random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    try:
        import numpy as np
    except ImportError:
        return
    np.random.seed(seed % 2**32)


def atomic_save(obj: Any, path: str | Path) -> Path:
    """``torch.save`` atomically (``minibert.files``): a crash never leaves half a checkpoint."""
    with atomic_open(path, "wb") as file:
        torch.save(obj, file)
    return Path(path)


def rng_state() -> dict[str, Any]:
    """Every RNG state, as tensors and plain types so that ``weights_only=True`` loads them."""
    version, mt_state, gauss = random.getstate()
    state: dict[str, Any] = {
        "python": {"version": version, "state": list(mt_state), "gauss": gauss},
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
    }
    try:
        import numpy as np
    except ImportError:
        return state
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    state["numpy"] = {"kind": kind, "keys": torch.from_numpy(keys.astype("int64")), "pos": int(pos),
                      "has_gauss": int(has_gauss), "cached": float(cached)}
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    py = state["python"]
    random.setstate((py["version"], tuple(py["state"]), py["gauss"]))
    torch.set_rng_state(state["torch"])
    if state["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
    if "numpy" in state:
        import numpy as np

        npst = state["numpy"]
        np.random.set_state((npst["kind"], npst["keys"].numpy().astype("uint32"), npst["pos"],
                             npst["has_gauss"], npst["cached"]))


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """Read a checkpoint without unpickling code (``weights_only=True``)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}: nothing to resume from")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:
        raise ValueError(f"cannot read the checkpoint {path}: {err}") from err
