"""Residual-stream activations of a language model on the offline texts, training and held-out
documents kept apart.

The documents are the LLM stage's evaluation samples (superscale.llm.texts.evaluation_documents) of
each configured text, interleaved text by text so that a small budget still draws on every text;
every `heldout_every`-th document is held out. A document contributes one window: its first
`context` positions (the model's BOS first where its tokenizer puts one there), so that the budget
spreads over many documents instead of exhausting a few. Documents are taken in order until the
budget of tokens is met. A window's first position is never stored, BOS or not: it is the
attention sink, whose residual stream at middle depths is ~100 times the median token's norm (in
SmolLM2-135M and Qwen2.5-Coder-0.5B, 1% of tokens, the window starts, held 98% of the middle
layer's variance), so it would dominate the dictionaries' loss and their variance explained.

A layer is named by its relative depth: depth d takes hidden state round(d * n_layer), the residual
stream after that many blocks; depth 1 is the final hidden state, after the final norm, which is
exactly what the unembedding reads (transformers' last hidden state), so a dictionary there can be
scored by the loss of the unembedding applied to its reconstruction. Held-out windows also keep
each position's next token and the model's own loss on them, for that check.
"""

from __future__ import annotations

import itertools
import sys

import torch
from tqdm import tqdm

from superscale.llm.loss import bos_id
from superscale.llm.texts import evaluation_documents

SKIPPED = 1  # leading positions of a window not stored: the attention sink (see the module docstring)


def layer_index(depth: float, n_layer: int) -> int:
    """The hidden-state index of a relative depth in (0, 1]: round(depth * n_layer), at least 1."""
    if not 0 < depth <= 1:
        raise ValueError(f"features.layers: depth {depth} must lie in (0, 1] (1 is the last layer)")
    return max(1, round(depth * n_layer))


def split_documents(specs: list[dict], heldout_every: int) -> tuple[list[str], list[str]]:
    """(training, held-out) documents: the texts' samples interleaved, every heldout_every-th held out."""
    texts = [evaluation_documents(spec) for spec in specs]
    interleaved = [doc for group in itertools.zip_longest(*texts) for doc in group if doc is not None]
    heldout = [doc for index, doc in enumerate(interleaved) if index % heldout_every == heldout_every - 1]
    train = [doc for index, doc in enumerate(interleaved) if index % heldout_every != heldout_every - 1]
    return train, heldout


@torch.no_grad()
def collect(
    model, tokenizer, documents: list[str], tokens: int, context: int, layers: list[int], label: str, scored: bool
) -> dict:
    """Activations at each hidden-state index in `layers` over the first window of each document,
    until `tokens` positions are stored; where `scored`, also each position's next token and the
    model's own loss (the unembedding's cost is spent only there).

    Returns {"activations": {layer: (tokens, width) float32}, "documents": how many were read} and,
    where scored, "targets": (tokens,) int64 (-100 where the window ends, so no next token is known)
    and "model_loss": the model's mean cross-entropy over the positions with a target."""
    bos = bos_id(tokenizer)
    prefix = [bos] if bos is not None else []
    stored = {layer: [] for layer in layers}
    targets, total_loss, counted, read = [], 0.0, 0, 0
    progress = tqdm(total=tokens, desc=label, file=sys.stderr, mininterval=10, unit="tok", ascii=True)
    for document in documents:
        have = sum(len(t) for t in targets)
        if have >= tokens:
            break
        ids = (prefix + tokenizer(document, add_special_tokens=False)["input_ids"])[:context]
        keep = min(len(ids) - SKIPPED, tokens - have)
        if keep < 1:
            continue
        read += 1
        forward = model if scored else model.base_model
        output = forward(torch.tensor([ids], device=model.device), output_hidden_states=True)
        window = slice(SKIPPED, SKIPPED + keep)
        for layer in layers:
            stored[layer].append(output.hidden_states[layer][0, window].float().cpu())
        following = torch.tensor(ids[SKIPPED + 1 : SKIPPED + keep + 1] + [-100] * keep, dtype=torch.long)
        targets.append(following[:keep])
        if scored:
            known = targets[-1] >= 0
            logits = output.logits[0, window].float().cpu()[known]
            total_loss += float(torch.nn.functional.cross_entropy(logits, targets[-1][known], reduction="sum"))
            counted += int(known.sum())
        progress.update(keep)
    progress.close()
    if not targets:
        raise ValueError(f"{label}: the texts gave no tokens; check features.texts")
    result = {"activations": {layer: torch.cat(parts) for layer, parts in stored.items()}, "documents": read}
    if scored:
        result |= {"targets": torch.cat(targets), "model_loss": total_loss / max(counted, 1)}
    return result
