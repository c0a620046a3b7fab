"""Fill-mask: the pre-training task as a pipeline (lessons 07 and 09). Nothing to fine-tune: a pre-training
output (``minibert pretrain``) already has its masked-LM head, so this entry has a pipeline only."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from minibert.heads import BertForMaskedLM, BertForPreTraining
from minibert.hub import resolve_model_dir
from minibert.tasks.batching import input_padding, model_outputs
from minibert.tasks.task import Pipeline, Task
from minibert.weights import read_state_dict


class FillMaskPipeline(Pipeline):
    """``fill("the cat sat on the [MASK].")`` → the ``top_k`` guesses, best first:
    ``[{"score", "token", "token_str", "sequence"}]`` (a list of such lists when the text has several masks).

    Needs a model with its masked-LM head, such as a pre-training output; MiniLM has none. A model object
    may be a ``BertForMaskedLM`` or a ``BertForPreTraining`` (whose MLM scores are ``prediction_logits``).
    """

    model_class = BertForMaskedLM
    made_by = "`minibert pretrain`"

    @classmethod
    def from_pretrained(cls, path_or_name: str | Path, **kwargs: Any) -> Pipeline:
        state, path = read_state_dict(resolve_model_dir(path_or_name))
        if not any(key.startswith("cls.predictions.") for key in state):
            raise ValueError(f"{path} has no masked-LM head (cls.predictions.*): fill-mask needs a model "
                             "pre-trained with MLM, such as the course model or your pre-training output")
        return super().from_pretrained(path_or_name, **kwargs)

    def predict(self, inputs: list, top_k: int = 5) -> list:
        self._check_texts(inputs)
        results = []
        for text in inputs:
            enc = self.tokenizer(text, truncation=True, max_length=self.max_length)
            ids = enc["input_ids"]
            positions = [i for i, t in enumerate(ids) if t == self.tokenizer.mask_token_id]
            if not positions:
                raise ValueError(f"no {self.tokenizer.mask_token} in {text!r}: nothing to fill")
            field = "prediction_logits" if isinstance(self.model, BertForPreTraining) else "logits"
            logits = model_outputs(self.model, [dict(enc)], input_padding(self.tokenizer.pad_token_id), 1,
                                   [field], per_token=True)[field][0]  # (T, V)
            per_mask = [self._guesses(ids, p, logits[p].softmax(-1), top_k) for p in positions]
            results.append(per_mask[0] if len(per_mask) == 1 else per_mask)
        return results

    def _guesses(self, ids: list[int], position: int, probs: torch.Tensor, top_k: int) -> list[dict[str, Any]]:
        top = probs.topk(min(top_k, len(probs)))
        guesses = []
        for score, token in zip(top.values.tolist(), top.indices.tolist()):
            filled = ids[:position] + [token] + ids[position + 1:]
            # Drop [CLS], [SEP] and padding but keep any other [MASK] of the text visible.
            text_ids = [i for i in filled if i not in (self.tokenizer.cls_token_id, self.tokenizer.sep_token_id,
                                                       self.tokenizer.pad_token_id)]
            guesses.append({"score": score, "token": token, "token_str": self.tokenizer.convert_ids_to_tokens(token),
                            "sequence": self.tokenizer.decode(text_ids)})
        return guesses


TASK = Task(name="fill-mask", help="a text with [MASK] -> the likeliest tokens for it (a pre-training output)",
            pipeline=FillMaskPipeline)
