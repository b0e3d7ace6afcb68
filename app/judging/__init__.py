"""Judging: jurors, conflicts of interest, assignment, scoring and the ranking."""
