"""Fine-tuning: the public data formats (formats.py), and later the task heads, collators and metrics."""
