"""Seeds that are the same on every machine and Python run, and generators made from them."""

from __future__ import annotations

import hashlib

import torch


def make_generator(seed: int, device: torch.device | str = "cpu") -> torch.Generator:
    generator = torch.Generator(device=device)
    generator.manual_seed(seed)
    return generator


def derive_seed(*parts) -> int:
    """A stable 63-bit seed from a tuple of labels (same on every machine and Python run)."""
    digest = hashlib.sha256(repr(parts).encode()).digest()
    return int.from_bytes(digest[:8], "little") >> 1
