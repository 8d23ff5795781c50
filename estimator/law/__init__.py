"""Statutes, Article 54 damages routes, court fees and late-payment interest as deterministic rules."""
