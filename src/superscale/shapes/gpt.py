"""The small decoder-only transformer of the shape sweep (Katta's test).

A pre-LayerNorm GPT: learned token and position embeddings, `n_layer` blocks of causal
self-attention (head dimension fixed, so n_head = d_model / head_dim) and a 4 d_model GELU MLP, a
final LayerNorm and an untied unembedding (so the matrix analysed is the readout alone, as in
Pythia). Linear layers and LayerNorms carry no biases, so that the non-embedding parameter count
is N = n_layer (12 d_model^2 + 2 d_model) + d_model, within 0.5 % of Kaplan's 12 n_layer d_model^2
along the ladder d ~ 2^k, n_layer ~ 4^k that keeps 12 n_layer d_model^2 fixed.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

EMBEDDINGS = ("token_embedding.", "position_embedding.", "unembedding.")  # not counted in N


@dataclass(frozen=True)
class GPTShape:
    vocab: int
    context: int
    n_layer: int
    d_model: int
    head_dim: int

    def __post_init__(self):
        if self.d_model % self.head_dim:
            raise ValueError(f"d_model {self.d_model} is not a multiple of head_dim {self.head_dim}")

    @property
    def n_head(self) -> int:
        return self.d_model // self.head_dim

    @property
    def aspect(self) -> float:
        return self.d_model / self.n_layer

    def as_dict(self) -> dict:
        return asdict(self)


def depth_block(n_layer: int, fraction: float) -> int:
    """The block (1-based) whose output is the residual stream at relative depth `fraction`:
    ceil(fraction * n_layer), at least 1. A 1-layer model has one block for every depth."""
    if not 0 < fraction <= 1:
        raise ValueError(f"relative depth must lie in (0, 1], got {fraction}")
    return max(1, math.ceil(fraction * n_layer - 1e-9))


class Block(nn.Module):
    def __init__(self, d_model: int, n_head: int):
        super().__init__()
        self.n_head = n_head
        self.attention_norm = nn.LayerNorm(d_model, bias=False)
        self.qkv = nn.Linear(d_model, 3 * d_model, bias=False)
        self.attention_out = nn.Linear(d_model, d_model, bias=False)
        self.mlp_norm = nn.LayerNorm(d_model, bias=False)
        self.mlp_in = nn.Linear(d_model, 4 * d_model, bias=False)
        self.mlp_out = nn.Linear(4 * d_model, d_model, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, time, width = x.shape
        qkv = self.qkv(self.attention_norm(x)).view(batch, time, 3, self.n_head, width // self.n_head)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)
        attended = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.attention_out(attended.transpose(1, 2).reshape(batch, time, width))
        return x + self.mlp_out(F.gelu(self.mlp_in(self.mlp_norm(x))))


class GPT(nn.Module):
    def __init__(self, shape: GPTShape):
        super().__init__()
        self.shape = shape
        self.token_embedding = nn.Embedding(shape.vocab, shape.d_model)
        self.position_embedding = nn.Embedding(shape.context, shape.d_model)
        self.blocks = nn.ModuleList(Block(shape.d_model, shape.n_head) for _ in range(shape.n_layer))
        self.final_norm = nn.LayerNorm(shape.d_model, bias=False)
        self.unembedding = nn.Linear(shape.d_model, shape.vocab, bias=False)
        self._init_weights()

    def _init_weights(self) -> None:
        """GPT-2's: N(0, 0.02) matrices, the residual outputs scaled by 1/sqrt(2 n_layer)."""
        for name, parameter in self.named_parameters():
            if parameter.dim() == 2:
                std = (
                    0.02 / math.sqrt(2 * self.shape.n_layer)
                    if name.endswith(("attention_out.weight", "mlp_out.weight"))
                    else 0.02
                )
                nn.init.normal_(parameter, 0.0, std)

    def forward(
        self, tokens: torch.Tensor, keep: set[int] = frozenset()
    ) -> tuple[torch.Tensor, dict[int, torch.Tensor]]:
        """(logits, {block: residual stream after that block}) for the blocks in `keep`."""
        positions = torch.arange(tokens.shape[1], device=tokens.device)
        x = self.token_embedding(tokens) + self.position_embedding(positions)
        kept = {}
        for index, block in enumerate(self.blocks, start=1):
            x = block(x)
            if index in keep:
                kept[index] = x
        return self.unembedding(self.final_norm(x)), kept


def non_embedding_parameters(model: nn.Module) -> int:
    """N as Kaplan counts it: every parameter except the token and position embeddings and the
    unembedding (so the blocks and the final LayerNorm)."""
    return sum(p.numel() for name, p in model.named_parameters() if not name.startswith(EMBEDDINGS))
