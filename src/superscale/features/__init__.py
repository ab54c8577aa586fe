"""The feature-frequency stage: residual-stream activations of the offline models, sparse
dictionaries, the law of their latents' firing frequencies, the method checked on planted truth,
and toy models trained on the measured frequencies."""
