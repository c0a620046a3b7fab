"""Every course experiment has its stored result, made by its own command, and a row in the datasheet."""
import json

import pytest

from minibert.course import experiments
from minibert.course.paths import data_dir


@pytest.mark.parametrize("name", experiments.names())
def test_every_experiment_is_stored_and_described(name):
    stored = experiments.load(name)
    assert stored["experiment"] == name
    assert stored["command"] == f"python -m minibert.course.experiments {name}"
    assert stored["seconds"] > 0
    assert f"| `{name}` |" in (data_dir() / "README.md").read_text(encoding="utf-8"), \
        f"data/README.md's table of stored experiments has no row for {name}"


def test_no_stored_file_without_its_experiment():
    stored = {p.stem for p in (data_dir() / "experiments").glob("*.json")}
    assert stored <= set(experiments.names()), f"files no module makes: {sorted(stored - set(experiments.names()))}"
    for path in (data_dir() / "experiments").glob("*.json"):
        assert path.stat().st_size < 200_000, f"{path.name} is over 200 KB"
        json.loads(path.read_text(encoding="utf-8"))
