"""Errors shared by the training code of every stage."""

from __future__ import annotations


class DivergenceError(RuntimeError):
    """A model's loss became NaN or infinite; the message names the configuration and step."""
