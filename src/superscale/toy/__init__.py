"""The toy-model stage (paper Secs. 1-2): features and sampling, model and optimizer, trainer, evaluation,
cells and plan, geometry, fits, the one-model reference and the headline numbers (summary)."""
