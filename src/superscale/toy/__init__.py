"""The toy-model stage (paper Secs. 1-2): features and sampling, model and optimizer, trainer, evaluation,
cells and plan, geometry, fits and the one-model reference."""
