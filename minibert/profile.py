"""Smoke or full: one switch that sizes every lesson.

The lessons are committed with the outputs of the *smoke* profile, which runs each lesson in a few
minutes on two CPU cores. ``MINIBERT_PROFILE=full`` makes the same cells train bigger models for
longer (meant for a GPU). Every lesson prints ``profile_line()`` near its top, and nbval compares that
line, so a notebook executed in the full profile cannot be committed by mistake.
"""
from __future__ import annotations

import os
from typing import TypeVar

T = TypeVar("T")
PROFILES = ("smoke", "full")
PROFILE = os.environ.get("MINIBERT_PROFILE", "smoke").strip().lower() or "smoke"
if PROFILE not in PROFILES:
    raise ValueError(f"MINIBERT_PROFILE must be one of {PROFILES}, got {PROFILE!r}")


def pick(smoke: T, full: T) -> T:
    """The smoke value or the full value, by the active profile: ``steps = pick(200, 20_000)``."""
    return full if PROFILE == "full" else smoke


def is_full() -> bool:
    return PROFILE == "full"


def profile_line() -> str:
    """The line each lesson prints (and nbval compares)."""
    if PROFILE == "full":
        return "profile: full (large models, long runs: meant for a GPU)"
    return "profile: smoke (small and fast: set MINIBERT_PROFILE=full for the full run)"
