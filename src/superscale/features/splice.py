"""What a dictionary costs the model: its loss when the unembedding reads the reconstruction.

At the last layer the residual stream is what the unembedding reads (superscale.features.activations),
so the model's next-token loss on reconstructed activations is the head applied to them; no second
forward pass is needed. Set beside the loss on the original activations and on their training mean
(everything the stream says about the token removed), the increase reads as a fraction of the loss
the layer carries: 1 - (spliced - clean) / (mean-ablated - clean).
"""

from __future__ import annotations

import torch


@torch.no_grad()
def unembedding_loss(x: torch.Tensor, head: torch.Tensor, targets: torch.Tensor, chunk: int = 256) -> float:
    """Mean cross-entropy of logits x head^T against targets, over the positions with a target (>= 0)."""
    known = targets >= 0
    x, targets = x[known], targets[known]
    total = 0.0
    for start in range(0, x.shape[0], chunk):
        logits = x[start : start + chunk] @ head.T
        total += float(torch.nn.functional.cross_entropy(logits, targets[start : start + chunk], reduction="sum"))
    return total / max(int(known.sum()), 1)


@torch.no_grad()
def reference_losses(heldout: torch.Tensor, train_mean: torch.Tensor, head: torch.Tensor, targets) -> dict:
    """Loss of the head on the original and on the mean-ablated held-out activations (one pass each,
    shared by every dictionary of the layer)."""
    return {
        "loss_clean": unembedding_loss(heldout, head, targets),
        "loss_mean_ablated": unembedding_loss(train_mean.expand_as(heldout), head, targets),
    }


@torch.no_grad()
def splice_losses(dictionary, heldout: torch.Tensor, head: torch.Tensor, targets, reference: dict) -> dict:
    """Loss of the head on the dictionary's reconstruction of the held-out activations, beside the
    reference losses: the increase and the share of the mean-ablation gap the reconstruction closes."""
    clean, ablated = reference["loss_clean"], reference["loss_mean_ablated"]
    spliced = unembedding_loss(dictionary.decode(dictionary.encode(heldout)), head, targets)
    return {
        "loss_clean": clean,
        "loss_spliced": spliced,
        "loss_increase": spliced - clean,
        "loss_mean_ablated": ablated,
        "loss_recovered": 1.0 - (spliced - clean) / (ablated - clean) if ablated != clean else float("nan"),
    }
