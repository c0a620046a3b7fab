"""Fixtures shared by several test modules."""
import pytest
import torch

from minibert.tokenizer import BertTokenizer


@pytest.fixture(scope="module")
def one_thread():
    """One torch thread for a module of tiny models: ops this small only lose time synchronising threads
    (`make test` already gives each of its two processes one thread on a 2-core machine)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def tok() -> BertTokenizer:
    """The MiniLM tokenizer (bert-base-uncased's vocabulary). Modules that need another define their own `tok`."""
    return BertTokenizer.from_pretrained("minilm")
