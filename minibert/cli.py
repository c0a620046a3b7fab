"""The ``minibert`` command line (also ``python -m minibert``).

Each area of the package registers its own subcommands: a module listed in ``COMMAND_MODULES``
has a ``register(subparsers)`` function that adds its parsers and sets ``func`` (the function
that runs the command and returns an exit status) with ``set_defaults``.

    minibert pretrain --preset tiny --corpus data/corpus/course.txt --steps 200 --out runs/tiny
    minibert fill-mask --model runs/tiny "the [MASK] sat on the mat."
"""
from __future__ import annotations

import argparse
import importlib
import sys
import warnings

from .trainer import TrainingDiverged

# Modules with a register(subparsers) function, in the order their commands are listed.
COMMAND_MODULES = ["minibert.pretrain", "minibert.prepare", "minibert.tasks.cli"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="minibert", description="BERT built step by step: prepare data, pre-train, fill masks, fine-tune, predict.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def _one_line_warning(message, category, filename, lineno, line=None) -> str:
    """Warnings as ``warning: message`` (the source line a library warning points at means nothing here)."""
    return f"warning: {message}\n"


def main(argv: list[str] | None = None) -> int:
    """Run one command; a bad input or a diverged run prints one clear line and exits with 1."""
    args = build_parser().parse_args(argv)
    format_warning, warnings.formatwarning = warnings.formatwarning, _one_line_warning
    try:
        return int(args.func(args) or 0)
    except (ValueError, OSError, TrainingDiverged) as err:  # bad input, missing file, NaN loss
        print(f"minibert {args.command}: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"minibert {args.command}: interrupted", file=sys.stderr)
        return 130
    finally:
        warnings.formatwarning = format_warning
