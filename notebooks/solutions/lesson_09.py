"""Lesson 09 solutions."""
from minibert.course.models import course_model, course_tokenizer
from minibert.tasks.pipelines import pipeline
from minibert.trainer import decay_parameter_names

model = course_model()
decayed = decay_parameter_names(model)

ANSWERS = {
    # Step 50 is in the warmup (50 < 100): 1e-3 x (50 + 1) / 100.
    "09.1": 1e-3 * 51 / 100,  # 5.1e-4
    # Every bias and LayerNorm weight: the tensors that decay_parameter_names leaves out.
    "09.2": sum(p.numel() for name, p in model.named_parameters() if name not in decayed),  # 8,415
    "09.3": pipeline("fill-mask", model=model, tokenizer=course_tokenizer())("the [MASK] barked loudly.")[0]["token_str"],  # "dog"
}
