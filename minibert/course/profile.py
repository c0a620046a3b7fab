"""Smoke or full: one switch that sizes every lesson.

The lessons are committed with the outputs of the *smoke* profile, which runs each lesson in a few
minutes on two CPU cores. ``MINIBERT_PROFILE=full`` makes the same cells train bigger models for
longer (meant for a GPU). Every lesson prints ``profile_line()`` near its top, and nbval compares that
line, so a notebook executed in the full profile cannot be committed by mistake.

The variable is read when a lesson asks (``active()``), never when a module is imported.
"""
from __future__ import annotations

import os
from typing import TypeVar

T = TypeVar("T")
PROFILES = ("smoke", "full")
PROFILE_VARIABLE = "MINIBERT_PROFILE"


def active() -> str:
    """The profile in force: ``MINIBERT_PROFILE`` (``smoke`` when unset); another value is an error."""
    profile = os.environ.get(PROFILE_VARIABLE, "smoke").strip().lower() or "smoke"
    if profile not in PROFILES:
        raise ValueError(f"{PROFILE_VARIABLE} must be one of {PROFILES}, got {profile!r}")
    return profile


def pick(smoke: T, full: T) -> T:
    """The smoke value or the full value, by the active profile: ``steps = pick(200, 20_000)``."""
    return full if active() == "full" else smoke


def profile_line() -> str:
    """The line each lesson prints (and nbval compares)."""
    if active() == "full":
        return "profile: full (large models, long runs: meant for a GPU)"
    return "profile: smoke (small and fast: set MINIBERT_PROFILE=full for the full run)"
