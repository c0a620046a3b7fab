"""Where weights come from: directories, the offline MiniLM short name, hub names (tested with a fake hub)."""
import huggingface_hub
import pytest

from minibert import hub


def test_minilm_short_names_resolve_offline():
    for name in ("minilm", "MiniLM", "sentence-transformers/all-MiniLM-L6-v2"):
        folder = hub.resolve_model_dir(name)
        assert (folder / "config.json").is_file() and (folder / "vocab.txt").is_file()
        assert (folder / "model.safetensors").is_file()


def test_a_local_directory_is_itself(tmp_path):
    assert hub.resolve_model_dir(tmp_path) == tmp_path


def test_a_missing_local_path_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="no model directory"):
        hub.resolve_model_dir(tmp_path / "nowhere" / "model")


def test_a_file_is_not_a_model_directory(tmp_path):
    (tmp_path / "f.txt").write_text("x")
    with pytest.raises(NotADirectoryError):
        hub.resolve_model_dir(tmp_path / "f.txt")


def test_hub_names_go_through_huggingface_hub(monkeypatch, tmp_path):
    calls = []

    def fake_snapshot_download(repo_id, allow_patterns):
        calls.append((repo_id, tuple(allow_patterns)))
        return str(tmp_path)

    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_snapshot_download)
    assert hub.resolve_model_dir("bert-base-uncased") == tmp_path
    assert calls[0][0] == "bert-base-uncased" and "model.safetensors" in calls[0][1]


def test_offline_hub_failure_is_a_clear_error(monkeypatch):
    def offline(repo_id, allow_patterns):
        raise OSError("network unreachable")

    monkeypatch.setattr(huggingface_hub, "snapshot_download", offline)
    with pytest.raises(FileNotFoundError, match="could not be fetched.*'minilm'"):
        hub.resolve_model_dir("google-bert/bert-base-cased")
