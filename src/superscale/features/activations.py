"""Residual-stream activations of a language model on the offline texts, training and held-out
windows kept apart, and the tokens they were read at.

Each configured text is cut into samples of at least `sample_words` words (a scene or a stretch
of an article; superscale.llm.texts.load_documents), and the windows are samples spread evenly
over the whole text, not the first few: a text with n samples that must give w windows gives those
at positions (j + 1/2) n / w. One window is the first `context` positions of a sample (the model's
BOS first where its tokenizer puts one there), so the budget spreads over many scenes and
articles. Training and held-out windows alternate evenly along each text (so neither lies in one
part of it), and the texts take turns. A window's first position is never stored, BOS or not: it
is the attention sink, whose residual stream at middle depths is ~100 times the median token's
norm (in SmolLM2-135M and Qwen2.5-Coder-0.5B, 1% of tokens, the window starts, held 98% of the
middle layer's variance), so it would dominate the dictionaries' loss and their variance explained.

A layer is named by its relative depth: depth d takes hidden state round(d * n_layer), the residual
stream after that many blocks; depth 1 is the final hidden state, after the final norm, which is
exactly what the unembedding reads (transformers' last hidden state), so a dictionary there can be
scored by the loss of the unembedding applied to its reconstruction. Held-out windows also keep
each position's next token and the model's own loss on them, for that check. Every stored position
keeps its token id: the token-frequency control counts exactly the tokens the latents fire on.

The null model is the same architecture randomly initialised (`random_model`), read on the same
windows: what a dictionary finds in activations that carry no learned features.
"""

from __future__ import annotations

import itertools
import sys

import torch
from tqdm import tqdm

from superscale.llm.loss import bos_id
from superscale.llm.texts import load_documents

SKIPPED = 1  # leading positions of a window not stored: the attention sink (see the module docstring)


def layer_index(depth: float, n_layer: int) -> int:
    """The hidden-state index of a relative depth in (0, 1]: round(depth * n_layer), at least 1."""
    if not 0 < depth <= 1:
        raise ValueError(f"features.layers: depth {depth} must lie in (0, 1] (1 is the last layer)")
    return max(1, round(depth * n_layer))


def spread(count: int, picks: int) -> list[int]:
    """`picks` indices spread evenly over range(count): (j + 1/2) count / picks, distinct."""
    if picks >= count:
        return list(range(count))
    return [int((j + 0.5) * count / picks) for j in range(picks)]


def window_shares(total: int, available: list[int]) -> list[int]:
    """Windows per text: an equal share each (rounded up), and what a text too short for its share
    cannot give spread equally over the others, so that a small text does not cap the budget."""
    shares = [0] * len(available)
    remaining, open_texts = total, sorted(range(len(available)), key=lambda i: available[i])
    while open_texts:
        share = -(-remaining // len(open_texts))
        shortest = open_texts[0]
        if available[shortest] >= share:
            for index in open_texts:
                shares[index] = share
            break
        shares[shortest] = available[shortest]
        remaining -= available[shortest]
        open_texts.pop(0)
    return shares


def split_documents(specs: list[dict], windows: dict[str, int], sample_words: int) -> dict[str, list[str]]:
    """{"train": documents, "heldout": documents}: each text's samples of >= sample_words words,
    windows["train"] + windows["heldout"] of them spread over the whole text (training and held-out
    alternating evenly), the texts' picks interleaved; each text gives its share (window_shares)."""
    total = sum(windows.values())
    samples_by_text = [load_documents({"min_words": sample_words} | spec) for spec in specs]
    shares = window_shares(total, [len(samples) for samples in samples_by_text])
    parts = {part: [[] for _ in specs] for part in windows}
    for index, (samples, wanted) in enumerate(zip(samples_by_text, shares)):
        for j, position in enumerate(spread(len(samples), wanted)):
            heldout = (j + 1) * windows["heldout"] // total > j * windows["heldout"] // total
            parts["heldout" if heldout else "train"][index].append(samples[position])
    return {
        part: [doc for group in itertools.zip_longest(*texts) for doc in group if doc is not None]
        for part, texts in parts.items()
    }


def random_model(model, seed: int):
    """The same architecture as `model`, randomly initialised by transformers' own init (seeded)."""
    from transformers import AutoModelForCausalLM

    torch.manual_seed(seed)
    return AutoModelForCausalLM.from_config(model.config).float().to(model.device).eval()


@torch.no_grad()
def collect(
    model, tokenizer, documents: list[str], tokens: int, context: int, layers: list[int], label: str, scored: bool
) -> dict:
    """Activations at each hidden-state index in `layers` over the first window of each document,
    until `tokens` positions are stored; where `scored`, also each position's next token and the
    model's own loss (the unembedding's cost is spent only there).

    Returns {"activations": {layer: (tokens, width) float32}, "ids": (tokens,) int64 the token at
    each stored position, "documents": how many were read} and,
    where scored, "targets": (tokens,) int64 (-100 where the window ends, so no next token is known)
    and "model_loss": the model's mean cross-entropy over the positions with a target."""
    bos = bos_id(tokenizer)
    prefix = [bos] if bos is not None else []
    stored = {layer: [] for layer in layers}
    targets, ids_stored, total_loss, counted, read = [], [], 0.0, 0, 0
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
        ids_stored.append(torch.tensor(ids[window], dtype=torch.long))
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
    if sum(len(t) for t in targets) < tokens:
        raise ValueError(
            f"{label}: the {read} windows gave {sum(len(t) for t in targets)} of the {tokens} tokens asked for; "
            "lower features.tokens or raise features.context"
        )
    result = {
        "activations": {layer: torch.cat(parts) for layer, parts in stored.items()},
        "ids": torch.cat(ids_stored),
        "documents": read,
    }
    if scored:
        result |= {"targets": torch.cat(targets), "model_loss": total_loss / max(counted, 1)}
    return result
