"""The `minibert` command line: pretrain then fill-mask, errors, and `python -m minibert`."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from minibert.cli import COMMAND_MODULES, build_parser, main
from minibert.corpus import write_documents
from minibert.course.corpus import course_corpus, course_vocab_dir
from minibert.trainer import read_metrics


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_documents(course_corpus("dev")[:20], tmp_path_factory.mktemp("corpus") / "tiny.txt")


def pretrain_args(corpus, out, *extra: str) -> list[str]:
    return ["pretrain", "--corpus", str(corpus), "--vocab", str(course_vocab_dir(2000)), "--steps", "3",
            "--batch-size", "4", "--max-seq-length", "32", "--out", str(out), *extra]


def test_pretrain_then_fill_mask(corpus, tmp_path, capsys):
    assert main(pretrain_args(corpus, tmp_path)) == 0
    printed = capsys.readouterr().out
    assert "step 3:" in printed and "mlm_accuracy" in printed
    assert len(read_metrics(tmp_path)) == 3
    assert {"config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json", "metrics.jsonl",
            "checkpoint.pt"} <= {p.name for p in tmp_path.iterdir()}

    assert main(["fill-mask", "--model", str(tmp_path), "--top-k", "4", "the [MASK] sat on the mat."]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "the [MASK] sat on the mat."
    guesses = [re.fullmatch(r"\s+(\S+)\s+(0\.\d{3}|1\.000)", line) for line in lines[1:]]
    assert len(guesses) == 4 and all(guesses), lines


def test_resume_continues_to_more_steps(corpus, tmp_path):
    assert main(pretrain_args(corpus, tmp_path)) == 0
    args = pretrain_args(corpus, tmp_path, "--resume")
    args[args.index("--steps") + 1] = "5"
    assert main(args) == 0
    assert [r["step"] for r in read_metrics(tmp_path)] == [1, 2, 3, 4, 5]


def test_no_keep_checkpoint_leaves_only_the_model(corpus, tmp_path):
    assert main(pretrain_args(corpus, tmp_path, "--no-keep-checkpoint")) == 0
    assert not (tmp_path / "checkpoint.pt").exists() and (tmp_path / "model.safetensors").is_file()


def test_missing_corpus_is_one_clear_line(tmp_path, capsys):
    assert main(["pretrain", "--corpus", str(tmp_path / "nope.txt"), "--vocab", str(course_vocab_dir(2000)),
                 "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("minibert pretrain: error:") and "nope.txt" in err


def test_resume_without_checkpoint_is_an_error(corpus, tmp_path, capsys):
    assert main(pretrain_args(corpus, tmp_path, "--resume")) == 1
    assert "no checkpoint" in capsys.readouterr().err


def test_fill_mask_without_mask_is_an_error(corpus, tmp_path, capsys):
    assert main(pretrain_args(corpus, tmp_path)) == 0
    assert main(["fill-mask", "--model", str(tmp_path), "no mask in here"]) == 1
    assert "no [MASK] in" in capsys.readouterr().err


def test_pretrain_needs_a_corpus_and_a_vocabulary(tmp_path, capsys):
    assert main(["pretrain", "--out", str(tmp_path)]) == 1
    assert "--corpus is required" in capsys.readouterr().err
    assert main(["pretrain", "--corpus", "stdlib", "--out", str(tmp_path)]) == 1
    assert "a fresh model needs --vocab" in capsys.readouterr().err


def test_every_registered_module_adds_commands():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    assert {"pretrain", "fill-mask"} <= commands.keys()
    assert COMMAND_MODULES[0] == "minibert.pretrain"


def test_python_dash_m_minibert_lists_the_commands():
    result = subprocess.run([sys.executable, "-m", "minibert", "--help"], capture_output=True, text=True,
                            timeout=600)  # a hang guard only: the step takes seconds
    assert result.returncode == 0
    assert "pretrain" in result.stdout and "fill-mask" in result.stdout


def test_warnings_print_as_one_line(corpus, tmp_path):
    assert main(pretrain_args(corpus, tmp_path)) == 0
    # A pre-training output read as a masked LM: its NSP head is unused, and a warning says so.
    result = subprocess.run([sys.executable, "-m", "minibert", "predict", "fill-mask", "--model", str(tmp_path),
                             "--text", "the [MASK] sat on the mat ."], capture_output=True, text=True,
                            timeout=600)  # a hang guard only: the step takes seconds
    assert result.returncode == 0, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: loading ") and "cls.seq_relationship" in lines[0]
