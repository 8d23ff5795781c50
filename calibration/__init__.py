"""Turning decided-case outcome records into a fitted award model, and validating it."""
