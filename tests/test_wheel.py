"""minibert works installed from its wheel, away from the checkout (the library stands apart from the course)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def readme_python_example() -> str:
    """The first Python block of the README's package section."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## The package"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """The wheel built from this checkout and unpacked into a folder of its own (no network, no deps)."""
    tmp = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(tmp / "dist"), str(REPO)], check=True, timeout=600, cwd=tmp)
    (wheel,) = (tmp / "dist").glob("minibert-*.whl")
    site = tmp / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(wheel)],
                   check=True, timeout=600, cwd=tmp)
    # The installed copy comes first on the path; the environment's editable install only answers after it.
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINIBERT_")}
    env["PYTHONPATH"] = str(site)
    return site, env


def run(args: list[str], env: dict[str, str], cwd: Path) -> str:
    done = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_the_wheel_holds_the_library_and_the_course_static_files(installed):
    site, _ = installed
    assert (site / "minibert" / "modeling.py").is_file()
    assert any((site / "minibert" / "course" / "static").iterdir()), "the offline attention-view scripts are missing"
    assert not (site / "data").exists() and not (site / "notebooks").exists(), "course data does not go in the wheel"


def test_the_readme_example_runs_from_the_installed_wheel(installed, tmp_path):
    site, env = installed
    code = ("import minibert, sys\n"
            f"assert minibert.__file__.startswith({str(site)!r}), minibert.__file__\n"
            f"assert not any(p and {str(REPO)!r} == p for p in sys.path)\n"
            + readme_python_example()
            + "\nprint(tuple(out.last_hidden_state.shape))\n")
    assert run([sys.executable, "-c", code], env, tmp_path).strip().endswith("(1, 9, 384)")


def test_the_command_line_runs_from_the_installed_wheel(installed, tmp_path):
    site, env = installed
    assert "fill-mask" in run([sys.executable, "-m", "minibert", "--help"], env, tmp_path)
    script = site / "bin" / "minibert"
    assert "finetune" in run([sys.executable, str(script), "--help"], env, tmp_path)
    model = REPO / "data" / "models" / "course-tiny"  # passed explicitly: the library has no default model
    out = run([sys.executable, "-m", "minibert", "fill-mask", "--model", str(model), "--top-k", "3",
               "the capital of france is [MASK]."], env, tmp_path)
    assert "paris" in out.lower(), out
