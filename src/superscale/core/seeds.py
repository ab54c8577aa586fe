"""Seeds that are the same on every machine and Python run, and generators made from them."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch


def make_generator(seed: int, device: torch.device | str = "cpu") -> torch.Generator:
    import torch  # here, so that derive_seed (the workflow's plans use it) loads no torch

    generator = torch.Generator(device=device)
    generator.manual_seed(seed)
    return generator


def derive_seed(*parts) -> int:
    """A stable 63-bit seed from a tuple of labels (same on every machine and Python run)."""
    digest = hashlib.sha256(repr(parts).encode()).digest()
    return int.from_bytes(digest[:8], "little") >> 1
