"""BERT's hyper-parameters in one dataclass (lesson 04).

The field names are exactly those of Hugging Face's ``config.json`` so that a
directory written by either library is read by the other.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from .files import atomic_write_text

CONFIG_NAME = "config.json"

# Google's released sizes (Turc et al. 2019 for the small ones): L layers, H hidden, A heads, I = 4H.
PRESETS: dict[str, dict[str, int]] = {
    "tiny": dict(num_hidden_layers=2, hidden_size=128, num_attention_heads=2),
    "mini": dict(num_hidden_layers=4, hidden_size=256, num_attention_heads=4),
    "small": dict(num_hidden_layers=4, hidden_size=512, num_attention_heads=8),
    "medium": dict(num_hidden_layers=8, hidden_size=512, num_attention_heads=8),
    "base": dict(num_hidden_layers=12, hidden_size=768, num_attention_heads=12),
    "large": dict(num_hidden_layers=24, hidden_size=1024, num_attention_heads=16),
}


@dataclass
class BertConfig:
    """Everything that fixes the shape and the regularisation of a BERT model."""

    vocab_size: int = 30522  # rows of the word-embedding table (bert-base-uncased's vocab.txt)
    hidden_size: int = 768  # H: width of every token vector
    num_hidden_layers: int = 12  # L: encoder layers in the stack
    num_attention_heads: int = 12  # A: heads per layer; H must split evenly among them
    intermediate_size: int = 3072  # width of the feed-forward block, 4H in every Google model
    hidden_act: str = "gelu"  # exact (erf) GELU, as in the original TensorFlow code
    hidden_dropout_prob: float = 0.1
    attention_probs_dropout_prob: float = 0.1
    max_position_embeddings: int = 512  # rows of the position table: the 512-token limit
    type_vocab_size: int = 2  # segments A and B
    initializer_range: float = 0.02  # std of the truncated-normal initialisation
    layer_norm_eps: float = 1e-12
    pad_token_id: int = 0
    # Task heads: how many labels, and their names (written to config.json like transformers does).
    num_labels: int = 2
    id2label: dict[int, str] | None = None
    problem_type: str | None = None  # "regression" | "single_label_classification" | "multi_label_classification"
    classifier_dropout: float | None = None  # None: use hidden_dropout_prob
    architectures: list[str] | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False)  # unknown keys, kept for the round trip

    def __post_init__(self) -> None:
        if self.hidden_size % self.num_attention_heads != 0:
            raise ValueError(
                f"hidden_size ({self.hidden_size}) is not divisible by num_attention_heads "
                f"({self.num_attention_heads}): each head must get hidden_size / heads dimensions"
            )
        if self.hidden_act not in ("gelu", "gelu_new", "relu", "gelu_pytorch_tanh"):
            raise ValueError(f"hidden_act {self.hidden_act!r} is not supported (use 'gelu')")
        for name in ("vocab_size", "hidden_size", "num_hidden_layers", "intermediate_size",
                     "max_position_embeddings", "type_vocab_size"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if self.id2label is not None:
            self.id2label = {int(k): v for k, v in self.id2label.items()}
            self.num_labels = len(self.id2label)

    @property
    def head_size(self) -> int:
        """Dimensions per attention head (64 in every Google model)."""
        return self.hidden_size // self.num_attention_heads

    @property
    def label2id(self) -> dict[str, int]:
        return {v: k for k, v in (self.id2label or {}).items()}

    @classmethod
    def from_preset(cls, name: str, **overrides: Any) -> "BertConfig":
        """A Google size by name (tiny, mini, small, medium, base, large); I = 4H."""
        if name not in PRESETS:
            raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
        sizes = dict(PRESETS[name])
        sizes["intermediate_size"] = 4 * sizes["hidden_size"]
        return cls(**{**sizes, **overrides})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "BertConfig":
        data = dict(data)
        if data.get("position_embedding_type", "absolute") != "absolute":
            raise ValueError("only absolute (learned) position embeddings are supported, "
                             f"got position_embedding_type={data['position_embedding_type']!r}")
        if "label2id" in data and "id2label" not in data:
            data["id2label"] = {v: k for k, v in data["label2id"].items()}
        data.pop("label2id", None)
        known = {f.name for f in fields(cls)} - {"extra"}
        kwargs = {k: v for k, v in data.items() if k in known}
        extra = {k: v for k, v in data.items() if k not in known}
        extra.update(data.get("extra", {}) if isinstance(data.get("extra"), dict) else {})
        extra.pop("extra", None)
        return cls(**kwargs, extra=extra)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        extra = data.pop("extra")
        data["model_type"] = "bert"
        data["position_embedding_type"] = "absolute"
        if self.id2label is None:
            data.pop("id2label")
        else:
            data["id2label"] = {str(k): v for k, v in self.id2label.items()}
            data["label2id"] = self.label2id
        for key in ("problem_type", "classifier_dropout", "architectures"):
            if data[key] is None:
                data.pop(key)
        return {**extra, **data}

    @classmethod
    def from_json_file(cls, path: str | Path) -> "BertConfig":
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ValueError(f"cannot read the config file {path}: {err}") from err
        if not isinstance(data, dict):
            raise ValueError(f"{path} does not hold a JSON object")
        return cls.from_dict(data)

    @classmethod
    def from_pretrained(cls, path_or_name: str | Path) -> "BertConfig":
        """Read ``config.json`` from a directory, a file, a short name or a hub name."""
        from .hub import resolve_model_dir

        path = Path(path_or_name)
        if path.is_file():
            return cls.from_json_file(path)
        return cls.from_json_file(resolve_model_dir(path_or_name) / CONFIG_NAME)

    def save_pretrained(self, directory: str | Path) -> Path:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / CONFIG_NAME
        return atomic_write_text(path, json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n")
