"""The statistical award model: features, the fitted artifact and the predictive distribution."""
