"""What only the course needs: its data generators, profiles, exercises and lesson helpers.

The ``minibert`` library never imports this package (a test checks it); the lessons, the course's
commands and its tests do.
"""
from minibert.course.profile import active, pick, profile_line

__all__ = ["active", "pick", "profile_line"]
