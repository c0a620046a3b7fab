"""The corpus loader and the stdlib corpus (the course corpus: test_course_corpus.py)."""
from __future__ import annotations

import pytest

from minibert import corpus
from minibert.corpus import (
    check_documents,
    iter_documents,
    read_documents,
    split_sentences,
    stdlib_corpus,
    write_documents,
)

# --------------------------------------------------------------------------------------------
# The standard format
# --------------------------------------------------------------------------------------------


def test_reads_documents_separated_by_blank_lines(tmp_path):
    path = tmp_path / "c.txt"
    path.write_bytes("\ufeffThe cat sat on the mat.\r\nIt was happy.\r\n\r\n\r\n  Dogs bark.  \n\nParis is big.\n"
                     .encode("utf-8"))
    assert read_documents(path) == [["The cat sat on the mat.", "It was happy."], ["Dogs bark."], ["Paris is big."]]


def test_a_glob_and_a_list_read_files_in_order_and_a_file_end_ends_a_document(tmp_path):
    (tmp_path / "b.txt").write_text("B one.\nB two.\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("A one.\n", encoding="utf-8")
    assert read_documents(str(tmp_path / "*.txt")) == [["A one."], ["B one.", "B two."]]
    assert read_documents([tmp_path / "b.txt", tmp_path / "a.txt"]) == [["B one.", "B two."], ["A one."]]


def test_write_then_read_round_trips(tmp_path):
    documents = [["One.", "Two."], ["Three."]]
    assert read_documents(write_documents(documents, tmp_path / "x.txt")) == documents


def test_a_single_document_is_an_error_naming_the_file(tmp_path):
    path = tmp_path / "single.txt"
    path.write_text("Only one.\nStill the same document.\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"single\.txt has only 1 document.*at least 2 documents"):
        read_documents(path)
    assert list(iter_documents(path)) == [["Only one.", "Still the same document."]]   # the lazy reader allows it


@pytest.mark.parametrize("content", [b"", b"\n\n   \n"])
def test_an_empty_file_is_an_error_naming_the_file(tmp_path, content):
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"empty\.txt is empty"):
        read_documents(path)


def test_undecodable_bytes_are_an_error_with_file_line_and_offset(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"Fine line.\n\nAnother.\nCaf\xe9 au lait.\n")
    with pytest.raises(ValueError, match=r"latin1\.txt is not UTF-8.*0xe9 on line 4 \(byte offset 24\)"):
        read_documents(path)


def test_missing_files_patterns_and_directories_are_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        read_documents(tmp_path / "nope.txt")
    with pytest.raises(FileNotFoundError, match="no corpus file matches"):
        read_documents(str(tmp_path / "*.nope"))
    with pytest.raises(IsADirectoryError, match="is a directory"):
        read_documents(tmp_path)
    with pytest.raises(ValueError, match="no corpus files"):
        read_documents([])
    with pytest.raises(ValueError, match="has no documents"):
        check_documents([])


# --------------------------------------------------------------------------------------------
# Sentences and the stdlib corpus
# --------------------------------------------------------------------------------------------


def test_split_sentences_keeps_abbreviations_and_initials():
    text = "Use a list, e.g. a tuple. It works!  J. Smith wrote it.\nDoes it? Yes (mostly). 3 cases remain."
    assert split_sentences(text) == ["Use a list, e.g. a tuple.", "It works!", "J. Smith wrote it.", "Does it?",
                                     "Yes (mostly).", "3 cases remain."]


def test_stdlib_corpus_is_prose_in_documents():
    documents = stdlib_corpus(include_docstrings=False)
    assert len(documents) > 50 and sum(map(len, documents)) > 1000
    for document in documents:
        assert len(document) >= 2
        for sentence in document:
            assert sentence[-1] in ".!?:" and len(sentence.split()) >= 4
            assert ">>>" not in sentence and "::=" not in sentence


def test_docstrings_are_read_without_importing(tmp_path):
    source = tmp_path / "mod.py"
    source.write_text('"""Module doc. Two sentences here."""\nraise SystemExit("imported!")\n'
                      'def f():\n    """Function doc."""\n', encoding="utf-8")
    assert corpus._docstrings(source) == ["Module doc. Two sentences here.", "Function doc."]
