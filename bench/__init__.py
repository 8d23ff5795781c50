"""Benchmarks of the estimator against its performance targets: `python -m bench` (see `__main__`).

Sections: `http` (estimate vs a trivial endpoint under load), `core` (the vectorised estimate),
`cli` (`python -m estimator score` end to end), `fit` (calibration), `coldstart` (`make run`).
Inputs are synthetic, drawn with a fixed seed (`bench.synthetic`); all traffic stays on loopback.
"""
