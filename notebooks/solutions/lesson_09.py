"""Lesson 09 solutions."""
import torch

from minibert.course.corpus import course_corpus_path
from minibert.course.models import course_model, course_tokenizer
from minibert.pretrain import make_dataset, make_eval_fn
from minibert.pretraining_data import PretrainingCollator

model = course_model()
tokenizer = course_tokenizer()

# 09.2: the rule of section 2 written out (biases and LayerNorm weights get no decay), counting numbers.
no_decay = [p for name, p in model.named_parameters() if name.endswith("bias") or "LayerNorm" in name]

# 09.3: the MLM head by hand: the logits at the [MASK] position, the best token.
enc = tokenizer("the [MASK] barked at the postman all morning.", return_tensors="pt")
with torch.no_grad():
    logits = model(**enc).prediction_logits[0]                                     # (T, V)
blank = enc["input_ids"][0].tolist().index(tokenizer.mask_token_id)
top_guess = tokenizer.convert_ids_to_tokens([int(logits[blank].argmax())])[0]

# 09.4: the held-out corpus masked at 40% (at most 52 of 128 tokens), the lesson's evaluation.
dev_40 = make_dataset(course_corpus_path("dev"), tokenizer, dynamic_masking=False, max_seq_length=128,
                      max_predictions_per_seq=52, masked_lm_prob=0.4, seed=0)
with torch.no_grad():
    accuracy_40 = make_eval_fn(dev_40, PretrainingCollator(tokenizer.pad_token_id), batch_size=64)(model)["mlm_accuracy"]

ANSWERS = {
    # Step 50 is in the warmup (50 < 100): 1e-3 x (50 + 1) / 100.
    "09.1": 1e-3 * 51 / 100,  # 5.1e-4
    "09.2": sum(p.numel() for p in no_decay),
    "09.3": top_guess,  # "dog"
    # Lower than at 15%: with more blanks, each blank has fewer visible words around it.
    "09.4": accuracy_40,
}

WRONG = {
    "09.1": [1e-3 * 50 / 100, 1e-3, 1e-3 * (1000 - 50) / (1000 - 100)],  # off by one; the peak; the decay branch
    "09.2": [len(no_decay), sum(p.numel() for p in model.parameters())],  # tensors; every number
    "09.3": ["cat", "[MASK]", "barked"],
    "09.4": [0.4, 0.15, 60.0],
}
