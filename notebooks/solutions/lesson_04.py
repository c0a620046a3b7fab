"""Lesson 04 solutions."""
from minibert import BertConfig

base = BertConfig.from_preset("base")
large = BertConfig.from_preset("large")
H, I, L = base.hidden_size, base.intermediate_size, base.num_hidden_layers
T = 128

ANSWERS = {
    # Linear(H -> I) has H*I weights and I biases; Linear(I -> H) has I*H weights and H biases.
    "04.1": H * I + I + I * H + H,  # 4,722,432
    # One probability per head, per query token, per key token: A * T * T floats of 4 bytes.
    "04.2": large.num_attention_heads * 512 * 512 * 4 / 2**20,  # 16 MiB
    # Per token and layer: 2 FLOPs per weight of Q, K, V, O and the feed-forward; per layer 4 T^2 H for
    # QK^T and probs @ V; the pooler is one H x H matmul on [CLS].
    "04.3": T * L * 2 * (4 * H * H + 2 * H * I) + L * 4 * T * T * H + 2 * H * H,  # about 22.3 GFLOP
}
