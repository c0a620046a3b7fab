"""Checkers for the lessons' exercises, one module per lesson (``lesson_NN.py``).

Importing this package imports every lesson module, and each registers its checkers with
``minibert.course.exercises.exercise``.
"""
import importlib
import pkgutil

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("lesson_")):
    importlib.import_module(f"{__name__}.{_module}")
