"""Fidelity corpus for the changeset writer (issue 3): built by scripts, nothing binary committed."""
