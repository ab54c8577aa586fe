"""A sparse dictionary (sparse autoencoder) of activations: BatchTopK training, a threshold encoder.

Written here rather than taken from sae-lens: sae-lens trains through TransformerLens hooks or its
own cached-activation datasets and pulls in ~50 packages (TransformerLens, wandb, datasets, plotly,
OpenTelemetry); TransformerLens does not load the quantised GGUF checkpoints this stage reads, and
the stage's activations are already tensors in memory.

The autoencoder (Gao et al. 2024; Bussmann et al. 2024): z = ReLU((x - b_dec) W_enc + b_enc),
x_hat = z W_dec + b_dec, decoder rows kept at unit norm. Training keeps the k * B largest entries of
z over a batch of B inputs (BatchTopK), so the number of active latents varies from input to input
as the number of active features does; an auxiliary loss (AuxK) lets latents that have not fired
for a while reconstruct the residual, so they come back to life instead of staying dead. After
training, one threshold (the mean over training batches of the smallest entry BatchTopK kept)
replaces the batch: a latent fires on an input where its pre-activation exceeds it, which makes
firing a property of the input alone, as a frequency needs.

Inputs are centred and scaled (mean squared norm = width) before training; `Dictionary` keeps the
shift and scale, so everything it reports is in the activations' own units.
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass

import torch
from tqdm import tqdm

from superscale.core.seeds import make_generator
from superscale.core.stored import load_payload


@dataclass(frozen=True)
class DictionarySettings:
    k: int  # mean active latents per input (BatchTopK)
    steps: int
    batch_size: int = 256
    lr: float = 1e-3
    aux_k: int = 256  # latents of the auxiliary loss, at most
    aux_coefficient: float = 1 / 32
    dead_after: int = 2048  # inputs without firing after which a latent counts as dead for AuxK
    seed: int = 0


class Dictionary(torch.nn.Module):
    """Encoder, decoder, input normalisation and the firing threshold of one sparse dictionary."""

    def __init__(self, width: int, latents: int, generator: torch.Generator):
        super().__init__()
        decoder = torch.randn(latents, width, generator=generator)
        decoder /= decoder.norm(dim=1, keepdim=True)
        self.W_dec = torch.nn.Parameter(decoder)
        self.W_enc = torch.nn.Parameter(decoder.T.clone())
        self.b_enc = torch.nn.Parameter(torch.zeros(latents))
        self.b_dec = torch.nn.Parameter(torch.zeros(width))
        self.register_buffer("shift", torch.zeros(width))
        self.register_buffer("scale", torch.ones(()))
        self.register_buffer("threshold", torch.zeros(()))

    @property
    def latents(self) -> int:
        return self.W_dec.shape[0]

    def normalise(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.shift) / self.scale

    def pre(self, x_normalised: torch.Tensor) -> torch.Tensor:
        return torch.relu((x_normalised - self.b_dec) @ self.W_enc + self.b_enc)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Latent activations of raw inputs: each latent fires where it exceeds the threshold."""
        z = self.pre(self.normalise(x))
        return z * (z > self.threshold)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Reconstruction in the inputs' units."""
        return (z @ self.W_dec + self.b_dec) * self.scale + self.shift


def batch_top_k(z: torch.Tensor, k: int) -> torch.Tensor:
    """z with all but its k * rows largest entries (over the whole batch) set to zero."""
    flat = z.flatten()
    keep = torch.topk(flat, min(k * z.shape[0], flat.numel()), sorted=False).indices
    return torch.zeros_like(flat).scatter_(0, keep, flat[keep]).view_as(z)


def train_dictionary(
    activations: torch.Tensor,
    latents: int,
    settings: DictionarySettings,
    progress=sys.stderr,
    device: torch.device = torch.device("cpu"),
) -> tuple[Dictionary, dict]:
    """Train a dictionary of `latents` latents on (tokens, width) activations on `device`; return it
    (on the CPU) and its training record (settings, loss curve, dead-latent count along the way)."""
    if activations.ndim != 2 or activations.shape[0] < settings.batch_size:
        raise ValueError(
            f"activations of shape {tuple(activations.shape)}: a dictionary needs (tokens, width) with at least "
            f"batch_size = {settings.batch_size} tokens; lower features.dictionary.batch_size or raise the text budget"
        )
    if not 0 < settings.k < latents:
        raise ValueError(f"features.dictionary.k = {settings.k} must lie between 0 and the {latents} latents")
    generator = make_generator(settings.seed)
    tokens, width = activations.shape
    model = Dictionary(width, latents, generator)
    with torch.no_grad():
        model.shift.copy_(activations.mean(0))
        model.scale.copy_((activations - model.shift).square().sum(1).mean().div(width).sqrt())
    model.to(device)
    data = model.normalise(activations.to(device)).detach()
    optimizer = torch.optim.Adam(model.parameters(), lr=settings.lr)
    since_fired = torch.zeros(latents, dtype=torch.long, device=device)
    record = {"settings": asdict(settings), "latents": latents, "steps": [], "mse": [], "dead": []}
    order = torch.randperm(tokens, generator=generator)
    position = 0
    for step in tqdm(range(settings.steps), file=progress, mininterval=10, desc="dictionary", unit="step", ascii=True):
        if position + settings.batch_size > tokens:
            order, position = torch.randperm(tokens, generator=generator), 0
        x = data[order[position : position + settings.batch_size].to(device)]
        position += settings.batch_size
        z = batch_top_k(model.pre(x), settings.k)
        x_hat = z @ model.W_dec + model.b_dec
        mse = (x_hat - x).square().sum(1).mean()
        loss = mse + settings.aux_coefficient * _aux_loss(model, x, x_hat, z, since_fired, settings)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            model.W_dec /= model.W_dec.norm(dim=1, keepdim=True)
            fired = (z > 0).any(0)
            since_fired = torch.where(fired, 0, since_fired + settings.batch_size)
        if (step + 1) % max(1, settings.steps // 20) == 0 or step + 1 == settings.steps:
            record["steps"].append(step + 1)
            record["mse"].append(float(mse.detach()) / width)
            record["dead"].append(int((since_fired >= settings.dead_after).sum()))
    with torch.no_grad():
        model.threshold.copy_(_threshold(model, data, settings))
    return model.cpu(), record


def _aux_loss(model, x, x_hat, z, since_fired, settings) -> torch.Tensor:
    """AuxK: the top aux_k pre-activations of the dead latents reconstruct the residual x - x_hat."""
    dead = since_fired >= settings.dead_after
    count = min(settings.aux_k, int(dead.sum()))
    if count == 0:
        return torch.zeros((), device=x.device)
    pre = model.pre(x)[:, dead]
    values, indices = torch.topk(pre, count, dim=1)
    aux = torch.zeros_like(pre).scatter_(1, indices, values) @ model.W_dec[dead]
    residual = (x - x_hat).detach()
    return (aux - residual).square().sum(1).mean() / residual.square().sum(1).mean().clamp_min(1e-12)


def _threshold(model: Dictionary, data: torch.Tensor, settings: DictionarySettings) -> torch.Tensor:
    """The mean, over the training batches in order, of the smallest activation BatchTopK keeps."""
    minima = []
    for start in range(0, data.shape[0] - settings.batch_size + 1, settings.batch_size):
        z = batch_top_k(model.pre(data[start : start + settings.batch_size]), settings.k)
        kept = z[z > 0]
        if kept.numel():
            minima.append(kept.min())
    return torch.stack(minima).mean() if minima else torch.zeros((), device=data.device)


@torch.no_grad()
def firing_counts(model: Dictionary, activations: torch.Tensor, chunk: int = 4096) -> torch.Tensor:
    """How many of the inputs each latent fires on (int64, one per latent)."""
    counts = torch.zeros(model.latents, dtype=torch.long)
    for start in range(0, activations.shape[0], chunk):
        counts += (model.encode(activations[start : start + chunk]) > 0).sum(0)
    return counts


@torch.no_grad()
def quality(
    model: Dictionary, heldout: torch.Tensor, train_counts: torch.Tensor, train_tokens: int, dense: float
) -> dict:
    """Held-out fraction of variance explained and mean L0; dead (never fired on the training
    tokens) and dense (firing on more than `dense` of them) latents."""
    z = model.encode(heldout)
    x_hat = model.decode(z)
    residual = (heldout - x_hat).square().sum()
    total = (heldout - heldout.mean(0)).square().sum()
    frequency = train_counts.double() / train_tokens
    return {
        "latents": model.latents,
        "fve_heldout": 1.0 - float(residual / total),
        "l0_heldout": float((z > 0).sum(1).double().mean()),
        "dead": int((train_counts == 0).sum()),
        "dense": int((frequency > dense).sum()),
        "threshold": float(model.threshold),
        "heldout_tokens": heldout.shape[0],
        "train_tokens": train_tokens,
    }


def save(model: Dictionary, record: dict, path) -> None:
    torch.save({"state": model.state_dict(), "record": record}, path)


def load(path) -> tuple[Dictionary, dict]:
    """A stored dictionary; an unreadable file names the command that trains it again."""
    payload = load_payload(path, "dictionary")
    latents, width = payload["state"]["W_dec"].shape
    model = Dictionary(width, latents, make_generator(0))
    model.load_state_dict(payload["state"])
    return model, payload["record"]


__all__ = ["Dictionary", "DictionarySettings", "batch_top_k", "firing_counts", "load", "quality", "save"]
