"""The devices a test runs on: always the CPU, and CUDA where there is a GPU.

CUDA variants carry the `cuda` marker, so `pytest -m cuda` (as benchmarks/gpu_check.py runs it)
selects exactly the checks of the GPU path; without a GPU they are skipped, saying why.
"""

import pytest
import torch

CUDA = pytest.param(
    "cuda",
    marks=[pytest.mark.cuda, pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")],
)
DEVICES = ["cpu", CUDA]
