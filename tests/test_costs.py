"""Costs: exact parameter and FLOP counts, memory and time estimates, the dry-run text."""
from __future__ import annotations

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from minibert import BertConfig, BertForPreTraining
from minibert.costs import (
    Hardware,
    count_parameters,
    dry_run,
    estimate,
    main,
    make_profiles,
    memory_estimate,
    step_flops,
)

H100 = Hardware("test GPU", "cuda", "bf16", peak_flops=800e12, memory_bytes=80e9)


def test_parameters_are_those_of_transformers_bert_base():
    import transformers

    with torch.device("meta"):
        reference = transformers.BertForPreTraining(transformers.BertConfig())
    counts = count_parameters(BertConfig.from_preset("base"))
    assert counts["total"] == sum(p.numel() for p in reference.parameters()) == 110_106_428
    assert counts["embeddings"] + counts["encoder"] + counts["heads"] == counts["total"]


def test_step_flops_count_every_matrix_product_of_a_real_step():
    config = BertConfig.from_preset("tiny", vocab_size=500, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    model = BertForPreTraining(config)
    batch, seq, predictions = 2, 16, 3
    input_ids = torch.randint(5, 500, (batch, seq))
    labels = torch.full((batch, seq), -100)
    labels[:, 1:1 + predictions] = input_ids[:, 1:1 + predictions]
    # output_attentions: the explicit attention path, whose products the counter sees (fused SDPA it may not).
    with FlopCounterMode(display=False) as counter:
        out = model(input_ids=input_ids, labels=labels, next_sentence_label=torch.zeros(batch, dtype=torch.long),
                    sparse_mlm=True, output_attentions=True)
        out.loss.backward()
    flops = step_flops(config, batch, seq, predictions)
    assert counter.get_total_flops() == flops["total"]
    linear_weights = sum(m.weight.numel() for m in model.bert.encoder.modules() if isinstance(m, torch.nn.Linear))
    assert flops["encoder weights (6N per token)"] == 6 * linear_weights * batch * seq


def test_memory_counts_16_bytes_a_parameter_plus_activations():
    config = BertConfig.from_preset("base")
    m16 = memory_estimate(config, 110_000_000, micro_batch=8, seq_length=128, predictions_per_seq=20, bf16=True)
    m32 = memory_estimate(config, 110_000_000, micro_batch=8, seq_length=128, predictions_per_seq=20, bf16=False)
    assert m16["weights"] + m16["gradients"] + m16["AdamW moments"] == 16 * 110_000_000
    assert m32["activations"] == 2 * m16["activations"] > 0
    assert m16["total"] == pytest.approx(sum(v for k, v in m16.items() if k != "total"))


def test_the_global_batch_is_split_over_processes_and_time_divides():
    base = make_profiles()["base"]
    one, eight = estimate(base, 1, H100), estimate(base, 8, H100)
    assert one.micro_batch * one.accumulation == 256 and eight.micro_batch * eight.accumulation == 32
    assert one.memory[512]["total"] <= 0.9 * H100.memory_bytes
    assert eight.total_flops == one.total_flops
    assert eight.seconds == pytest.approx(one.seconds / 8)
    assert one.seconds == pytest.approx(one.total_flops / (800e12 * 0.40))
    with pytest.raises(ValueError, match="does not split evenly"):
        estimate(base, 3, H100)


def test_profiles_follow_the_paper_for_base():
    profiles = make_profiles()
    base = profiles["base"]
    assert base.global_batch_size == 256 and base.steps == 1_000_000
    assert [(p.seq_length, p.steps) for p in base.phases] == [(128, 900_000), (512, 100_000)]
    assert estimate(profiles["full"], 1, H100).seconds < 3600  # "well under an hour" on one GPU


def test_dry_run_prints_parameters_flops_memory_and_time(capsys):
    assert main(["--profile", "smoke", "--vocab-size", "4317"]) == 0  # the course vocabulary
    text = capsys.readouterr().out
    for needle in ("parameters: 1,", "FLOPs per step at seq 128", "memory per process", "matmul peak measured",
                   "expected time:", "MFU"):
        assert needle in text
    assert "parameters: 110,106,428" in dry_run("base", world_size=4, measure=False)
    with pytest.raises(ValueError, match="unknown profile"):
        dry_run("huge")
