"""minibert: BERT built step by step, readable like a textbook and checked against transformers."""
from .config import BertConfig
from .profile import PROFILE, pick, profile_line

__version__ = "0.1.0"
