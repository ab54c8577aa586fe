"""Shared test setup.

The unit tests use small tensors, for which one intra-op thread is fastest; more threads also
stall badly when the machine's cores are shared (OpenMP oversubscription).
"""

import torch

torch.set_num_threads(1)
