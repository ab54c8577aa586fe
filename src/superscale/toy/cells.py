"""Training toy cells (superscale.toy.spec) and storing them.

Cells that differ only in gamma share their stream of sampled batches, so a training job may hold
several of them (a "pack") and step them in the same stacked products, which is what keeps a GPU
busy. This module turns cells into trainer runs and stores the trained weights with what made them;
superscale.toy.evaluation derives the cheap per-model tables from them."""

from __future__ import annotations

import platform
from dataclasses import asdict

import torch

from superscale.core.schedule import Schedule
from superscale.core.stored import load_payload
from superscale.toy.spec import CellSpec
from superscale.toy.trainer import TrainSettings, train_toys


def train_pack(specs: list[CellSpec], device: torch.device, progress=None, batches=None) -> dict:
    """Train cells that differ only in gamma on their shared batches; return the stored payload.

    The payload holds one entry per cell, each with its spec and its models' weights and logs.
    `batches`, if given, replaces the sampler as in train_toys (a benchmark times steps with it).
    """
    first = specs[0]
    if any(spec.stream() != first.stream() for spec in specs):
        raise ValueError(f"cells trained together must differ only in gamma; got {specs}")
    runs = [spec.runs() for spec in specs]
    settings = TrainSettings(
        first.batch_size,
        Schedule(first.steps, first.warmup_steps, first.min_lr_ratio),
        first.log_every,
        loss_scale=first.loss_scale,
    )
    flat = [run for cell_runs in runs for run in cell_runs]
    trained = iter(train_toys(flat, first.probabilities(), settings, first.data_seed(), device, progress, batches))
    cells = []
    for spec, cell_runs in zip(specs, runs):
        models = [next(trained) for _ in cell_runs]
        cells.append(
            {
                "spec": asdict(spec),
                "models": [
                    {"m": t.run.m, "W": t.W, "b": t.b, "log_steps": t.log_steps, "log_losses": t.log_losses}
                    for t in models
                ],
            }
        )
    return {"device": str(device), "torch": str(torch.__version__), "python": platform.python_version(), "cells": cells}


def load_pack(path) -> dict:
    """A stored pack of trained cells; an unreadable file is named with the command that retrains it."""
    return load_payload(path, "trained-weights")
