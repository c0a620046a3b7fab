"""Lesson 04 solutions."""
from minibert import BertConfig

base = BertConfig.from_preset("base")
large = BertConfig.from_preset("large")
H, I, L = base.hidden_size, base.intermediate_size, base.num_hidden_layers
T = 128


def forward_flops(c: BertConfig, length: int) -> int:
    """The lesson's formula for one sequence: 2 FLOPs per weight per token, 4 L T^2 H for attention, the pooler."""
    h, i, layers = c.hidden_size, c.intermediate_size, c.num_hidden_layers
    return length * layers * 2 * (4 * h * h + 2 * h * i) + layers * 4 * length * length * h + 2 * h * h


minilm = BertConfig.from_pretrained("minilm")

ANSWERS = {
    # Linear(H -> I) has H*I weights and I biases; Linear(I -> H) has I*H weights and H biases.
    "04.1": H * I + I + I * H + H,  # 4,722,432
    # One probability per head, per query token, per key token: A * T * T floats of 4 bytes.
    "04.2": large.num_attention_heads * 512 * 512 * 4 / 2**20,  # 16 MiB
    # Per token and layer: 2 FLOPs per weight of Q, K, V, O and the feed-forward; per layer 4 T^2 H for
    # QK^T and probs @ V; the pooler is one H x H matmul on [CLS].
    "04.3": T * L * 2 * (4 * H * H + 2 * H * I) + L * 4 * T * T * H + 2 * H * H,  # about 22.3 GFLOP
    # The formula, for MiniLM (H = 384, I = 1536, L = 6) at 256 tokens; FlopCounterMode counts the same.
    "04.4": forward_flops(minilm, 256),
}

WRONG = {
    "04.1": [2 * H * I, H * I + I],  # no biases; only the first Linear
    "04.2": [large.num_attention_heads * 512 * 512 * 4 / 1e6, 512 * 512 * 4 / 2**20],  # MB, not MiB; one head
    "04.3": [T * L * 2 * (4 * H * H + 2 * H * I) + 2 * H * H, forward_flops(base, 512)],  # no attention; T = 512
    "04.4": [forward_flops(minilm, 256) - minilm.num_hidden_layers * 4 * 256 * 256 * minilm.hidden_size,  # no attention
             forward_flops(minilm, 128)],  # the lesson's length
}
