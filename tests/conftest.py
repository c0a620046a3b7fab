"""Fixtures shared by several test modules."""
import pytest
import torch

from minibert.device import CPU_BF16_SWITCH, cpu_has_bf16_units
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


@pytest.fixture
def cpu_bf16(monkeypatch):
    """For a test about bf16 on the CPU: allow it (`make test` runs as a CPU without bf16 would, with
    MINIBERT_CPU_BF16=0), or skip, saying why, where the CPU would only emulate it."""
    if not cpu_has_bf16_units():
        pytest.skip("this CPU has no bf16 units (AVX-512 BF16 or AMX): bf16 would be emulated, far slower")
    monkeypatch.setenv(CPU_BF16_SWITCH, "1")
