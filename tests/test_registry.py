"""The task registry: every module of minibert.tasks with a TASK, found at first use; a new file is a new task."""
import re
import sys
import warnings
from pathlib import Path

import pytest
import torch

import minibert.tasks
from minibert.config import BertConfig
from minibert.heads import BertForPreTraining
from minibert.tasks import finetune as ft
from minibert.tasks import registry
from minibert.tasks.classification import TextClassificationPipeline
from minibert.tasks.pipelines import pipeline
from minibert.tasks.task import Task
from minibert.tasks.translation_model import BertEncoderDecoder
from minibert.tokenizer import BertTokenizer

ROOT = Path(__file__).resolve().parents[1]


def test_every_task_module_is_found_with_its_names():
    modules = {task.name: task for task in registry.discover()}
    assert sorted(registry.TASKS) == ["multiple-choice", "ner", "nli", "qa", "summarization", "text-classification",
                                      "translation"]
    assert "fill-mask" in modules and not modules["fill-mask"].can_finetune  # a pipeline only
    assert set(registry.pipeline_names()) == set(modules) | {"sentiment-analysis", "question-answering",
                                                             "token-classification"}
    assert registry.pipeline_task("question-answering") is registry.pipeline_task("qa") is registry.get_task("qa")
    assert registry.pipeline_task("nli").pipeline is registry.pipeline_task("sentiment-analysis").pipeline \
        is TextClassificationPipeline
    for task in registry.TASKS.values():  # everything fine-tuning needs, and its model class is the pipeline's
        assert task.metrics and task.from_hf_row is not None and task.pipeline.model_class is task.model_class
    with pytest.raises(ValueError, match=r"unknown task 'fill-mask': expected one of \['multiple-choice'"):
        registry.get_task("fill-mask")


def test_translation_hooks_give_the_decoder_its_rate_and_its_vocabulary():
    task = registry.get_task("translation")
    tok = BertTokenizer.from_pretrained("data/vocab/course-8k")
    model = BertEncoderDecoder(BertConfig.from_preset("tiny", vocab_size=len(tok)))
    rates = {group["lr"] for group in task.parameter_groups(model, 1e-4, 0.01)}
    assert rates == {1e-4, 1e-3}
    features = task.features([registry.get_task("translation").load(ROOT / "data/tasks/translation/dev.tsv")[0]],
                             tok, 32, None, True)
    task.prepare_model(model, features, tok)
    assert set(features[0]["labels"]) <= set(model.target_ids.tolist())
    assert all(registry.get_task(name).parameter_groups is None for name in registry.TASKS if name != "translation")


def readme_task_file() -> str:
    """The example task module of the README's package section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    (example,) = [b for b in blocks if 'TASK = Task(name="acceptability"' in b]
    return example


@pytest.fixture
def extra_tasks(tmp_path, monkeypatch):
    """A folder of extra modules of minibert.tasks (as if added to minibert/tasks/), forgotten afterwards."""
    monkeypatch.setattr(minibert.tasks, "__path__", [*minibert.tasks.__path__, str(tmp_path)])
    registry.discover.cache_clear()
    yield tmp_path
    for name in [n for n, m in sys.modules.items() if str(tmp_path) in (getattr(m, "__file__", None) or "")]:
        del sys.modules[name]
    registry.discover.cache_clear()


def test_the_readmes_new_task_file_is_a_task(extra_tasks, tmp_path, capsys):
    (extra_tasks / "acceptability.py").write_text(readme_task_file(), encoding="utf-8")
    assert "acceptability" in registry.TASKS and "acceptability" in registry.pipeline_names()

    tok = BertTokenizer.from_pretrained("data/vocab/course-8k")
    pretrained = tmp_path / "tiny"
    torch.manual_seed(0)
    BertForPreTraining(BertConfig.from_preset("tiny", vocab_size=len(tok), max_position_embeddings=64)
                       ).save_pretrained(pretrained)
    tok.save_pretrained(pretrained)
    data = (ROOT / "data/tasks/sentiment/train.tsv").read_text(encoding="utf-8").splitlines()
    (tmp_path / "train.tsv").write_text("\n".join(data[:33]) + "\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the new classifier
        metrics = ft.finetune("acceptability", pretrained, tmp_path / "train.tsv", tmp_path / "train.tsv",
                              out_dir=tmp_path / "out", max_steps=2, batch_size=8, bf16=False, show_progress=False)
    assert 0 <= metrics["accuracy"] <= 1 and ft.headline("acceptability", metrics).startswith("accuracy ")
    result = pipeline("acceptability", tmp_path / "out")("the more you read, the more you learn")
    assert set(result) == {"label", "score"}


def test_two_modules_with_one_task_name_are_an_error(extra_tasks):
    (extra_tasks / "another_qa.py").write_text(
        "from minibert.tasks.qa import QuestionAnsweringPipeline\n"
        "from minibert.tasks.task import Task\n"
        "TASK = Task(name='answers', help='', pipeline=QuestionAnsweringPipeline, aliases=('qa',))\n",
        encoding="utf-8")
    with pytest.raises(RuntimeError, match="both define the task name 'qa'"):
        registry.discover()


def test_a_task_is_complete_or_pipeline_only():
    with pytest.raises(ValueError, match=r"missing \['collator'"):
        Task(name="half", help="", model_class=BertForPreTraining, load=print, features=print, evaluate=print,
             metrics=("accuracy",))
    with pytest.raises(ValueError, match="neither fine-tuning nor a pipeline"):
        Task(name="nothing", help="")


def test_collators_check_the_values_where_data_enters():
    import pytest

    from minibert.tasks.batching import input_padding

    collate = input_padding(0, labels=-100)
    good = [{"input_ids": [2, 5, 3], "token_type_ids": [0, 0, 0], "attention_mask": [1, 1, 1], "labels": 1}]
    assert collate(good)["input_ids"].shape == (1, 3)
    with pytest.raises(ValueError, match="attention_mask contains \\[2\\]"):
        collate([{**good[0], "attention_mask": [1, 2, 1]}])
    with pytest.raises(ValueError, match="input_ids contains -4"):
        collate([{**good[0], "input_ids": [2, -4, 3]}])
