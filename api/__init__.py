"""The Litestar HTTP API over the estimator and calibration packages."""
