"""One atomic write for every file the package writes."""
from __future__ import annotations

import pytest

from minibert import files


def test_a_crash_mid_write_keeps_the_old_file_and_no_temporary(tmp_path):
    path = files.atomic_write_text(tmp_path / "a.json", "old\n")
    with pytest.raises(KeyboardInterrupt):
        with files.atomic_open(path, "w", encoding="utf-8") as f:
            f.write("half of the new")
            raise KeyboardInterrupt
    assert path.read_text() == "old\n" and sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]
    files.atomic_write_bytes(path, b"new")
    assert path.read_bytes() == b"new"


def test_only_whole_files_are_written(tmp_path):
    with pytest.raises(ValueError, match="whole files"):
        with files.atomic_open(tmp_path / "log", "a"):
            pass
