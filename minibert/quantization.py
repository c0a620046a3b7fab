"""Dynamic int8 quantization of a model's Linear layers (lesson 18).

A Linear layer's weights are stored as 8-bit integers and one fp32 scale, a quarter of fp32's bytes:

    w ~ s_w * w_q,   w_q = round(w / s_w) in [-128, 127],   s_w = max|w| / 127.5   (symmetric)

"Dynamic": the *activations* are quantized on the fly, batch by batch, from their own range:

    x ~ s_x * (x_q - z),   x_q in [0, 127],   s_x = (max(x, 0) - min(x, 0)) / 127,   z = round(-min(x, 0) / s_x)

then ``y = s_x s_w (x_q - z) w_q^T + b``: an integer matrix product, rescaled once. (Activations use 7 of
their 8 bits, ``reduce_range``, as PyTorch does on x86: the int8 kernels add pairs of products in 16 bits,
and a full 8-bit range could overflow there.) Only the weights are stored smaller; LayerNorm, softmax and
the embeddings stay fp32.

:class:`Int8Linear` is that arithmetic written out in PyTorch operations, to read and to check: it computes
the integer product with ordinary float matrix products, so it is not faster. :func:`torch_dynamic_int8` is
PyTorch's implementation, ``torch.ao.quantization.quantize_dynamic``, which calls int8 kernels (fbgemm /
oneDNN) and is. That function still exists in torch 2.13 but is deprecated: every call warns that eager-mode
quantization moves to the separate ``torchao`` package (``torchao.quantization.quantize_`` with
``Int8DynamicActivationInt8WeightConfig``). We keep the built-in one, which needs no new dependency, and
silence only that warning.
"""
from __future__ import annotations

import copy
import io
import warnings

import torch
import torch.nn.functional as F
from torch import nn

WEIGHT_LEVELS = 127.5   # half of the 255 steps from -128 to 127: the symmetric int8 range
ACTIVATION_MAX = 127    # 7-bit activations (reduce_range), as on x86


def quantize_weight(weight: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Symmetric per-tensor int8: (w_q int8 of weight's shape, s_w a 0-d fp32 tensor), w ~ s_w * w_q."""
    scale = (weight.abs().max() / WEIGHT_LEVELS).clamp(min=torch.finfo(torch.float32).eps)
    q = torch.clamp(torch.round(weight / scale), -128, 127).to(torch.int8)
    return q, scale.float()


def quantize_activation(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Affine per-tensor 7-bit: (x_q, s_x, z), x ~ s_x * (x_q - z); the range always contains 0."""
    low, high = x.min().clamp(max=0.0), x.max().clamp(min=0.0)
    scale = ((high - low) / ACTIVATION_MAX).clamp(min=torch.finfo(torch.float32).eps)
    zero_point = torch.clamp(torch.round(-low / scale), 0, ACTIVATION_MAX)
    q = torch.clamp(torch.round(x / scale) + zero_point, 0, ACTIVATION_MAX)
    return q, scale, zero_point


class Int8Linear(nn.Module):
    """A Linear layer with int8 weights and dynamically quantized inputs (the module docstring's formula)."""

    def __init__(self, weight_q: torch.Tensor, weight_scale: torch.Tensor, bias: torch.Tensor | None) -> None:
        super().__init__()
        self.out_features, self.in_features = weight_q.shape
        self.register_buffer("weight_q", weight_q)             # (out, in) int8
        self.register_buffer("weight_scale", weight_scale)     # ()
        self.register_buffer("bias", None if bias is None else bias.detach().clone())

    @classmethod
    def from_float(cls, linear: nn.Linear) -> "Int8Linear":
        q, scale = quantize_weight(linear.weight.detach())
        return cls(q, scale, linear.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x_q, s_x, z = quantize_activation(x.detach())          # (..., in): integers held in fp32
        # (x_q - z) w_q^T: every product and sum is of integers; fp32 holds them exactly up to 2^24.
        integer_product = F.linear(x_q - z, self.weight_q.float())  # (..., out)
        y = integer_product * (s_x * self.weight_scale)
        return y if self.bias is None else y + self.bias

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, int8 weights"


def quantize_linears(model: nn.Module) -> nn.Module:
    """A copy of ``model`` with every ``nn.Linear`` replaced by :class:`Int8Linear` (eval mode)."""
    quantized = copy.deepcopy(model).eval()
    for name, module in list(quantized.named_modules()):
        for child_name, child in list(module.named_children()):
            if type(child) is nn.Linear:
                setattr(module, child_name, Int8Linear.from_float(child))
    return quantized


def torch_dynamic_int8(model: nn.Module) -> nn.Module:
    """A copy of ``model`` with PyTorch's dynamically quantized int8 Linear layers (eval mode; CPU only).

    ``torch.ao.quantization.quantize_dynamic`` is deprecated in favour of torchao (module docstring); its
    deprecation warnings are silenced here, nothing else.
    """
    from torch.ao.quantization import quantize_dynamic

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*(torch\.ao\.quantization|quantize_per_tensor).*")
        return quantize_dynamic(copy.deepcopy(model).eval().cpu(), {nn.Linear}, dtype=torch.qint8)


def serialized_bytes(model: nn.Module) -> int:
    """Bytes of ``torch.save(model.state_dict())``: the model's size on disk (int8 weights stay packed)."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # quantized tensors' serialization warns that they are deprecated
        torch.save(model.state_dict(), buffer)
    return buffer.getbuffer().nbytes


def linear_share(model: nn.Module) -> float:
    """The fraction of ``model``'s parameters that sit in ``nn.Linear`` weights (what int8 makes smaller)."""
    linear = sum(m.weight.numel() for m in model.modules() if type(m) is nn.Linear)
    return linear / sum(p.numel() for p in model.parameters())
