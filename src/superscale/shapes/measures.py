"""What is measured on each trained model of the shape sweep, and between pairs of them.

Per model (one row of results/shapes/models.csv): held-out loss (nats per token), and the
statistics of its unembedding (V x d_model) that the LLM stage takes of an LLM head
(superscale.llm.unembedding: the mean squared overlap of the normalised rows over all pairs, exactly;
phi_1/2 and phi_1; row norms), the overlap's ratio to the 1/d_model of random directions, and the
feature density that Katta's compressed-sensing bound allows for V features (every token row) and
for phi_1/2 V features (the strongly represented rows) in d_model neurons. Training times stay in
the weights payload and the logs, so that the table is the same in every clone.

Per pair of models of one N group (one row per representation of results/shapes/similarity.csv):
linear CKA of the residual streams after the blocks at matched relative depth (superscale.shapes.gpt
.depth_block) over the same held-out tokens, and of the unembedding directions (rows normalised as
for the overlaps, tokens as examples). Raw unembedding rows share one direction that carries ~80 %
of their variance (its projection follows log token frequency, |r| ~ 0.98), which puts every pair
at CKA ~0.997; the directions weigh every token alike.
`kind` is "same shape" (two init seeds of one shape: the baseline) or "different shape".
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import torch

from superscale.core.device import resolve_device
from superscale.core.stored import load_payload
from superscale.llm.unembedding import head_statistics, mean_sq_overlap, normalised_rows
from superscale.shapes.cka import linear_cka
from superscale.shapes.compressed_sensing import implied_density
from superscale.shapes.gpt import GPT, GPTShape, depth_block
from superscale.shapes.plan import kaplan_n
from superscale.shapes.token_stream import evaluation_starts, windows
from superscale.shapes.training import heldout_loss, residual_streams

SAME, DIFFERENT = "same shape", "different shape"


def load_trained(path) -> tuple[GPT, dict]:
    """The model stored by rule shapes_train, and its payload (spec, history, counted N, ...)."""
    payload = load_payload(path, "trained-weights")
    model = GPT(GPTShape(**payload["shape"]))
    model.load_state_dict(payload["state_dict"])
    return model, payload


def unembedding(model: GPT) -> np.ndarray:
    return model.unembedding.weight.detach().cpu().numpy()


def model_record(
    model: GPT, payload: dict, batches: torch.Tensor, device: torch.device, overlap_pairs: int = 200_000
) -> dict:
    """One row of models.csv."""
    shape, spec, history = model.shape, payload["spec"], payload["history"]
    head = head_statistics(unembedding(model), pairs=overlap_pairs, seed=spec["seed"])
    represented = head["phi_half"] * shape.vocab
    return {
        "model": payload["model"],
        **({"n_group": spec["n_group"]} if "n_group" in spec else {}),
        "n_nonembedding": payload["n_nonembedding"],
        "n_kaplan": kaplan_n(shape.n_layer, shape.d_model),
        "n_layer": shape.n_layer,
        "d_model": shape.d_model,
        "n_head": shape.n_head,
        "head_dim": shape.head_dim,
        "aspect": shape.aspect,
        "seed": spec["seed"],
        "data_seed": spec["data_seed"],
        "vocab": shape.vocab,
        "context": shape.context,
        "tokens_trained": history["tokens_trained"],
        "final_train_loss": history["final_train_loss"],
        "heldout_loss": heldout_loss(model, batches, device),
        "heldout_tokens": int(batches[:, 1:].numel()),
        "mean_sq_overlap": head["mean_sq_overlap"],
        "overlap_ratio": head["mean_sq_overlap"] * shape.d_model,
        "mean_abs_overlap": head["mean_abs_overlap"],
        "phi_half": head["phi_half"],
        "phi_one": head["phi_one"],
        "norm_mean": head["norm_mean"],
        "norm_min": head["norm_min"],
        "norm_max": head["norm_max"],
        "implied_density_vocab": implied_density(shape.vocab, shape.d_model),
        "implied_density_phi": implied_density(represented, shape.d_model) if represented > 0 else float("nan"),
        "device": payload["device"],
        "threads": payload["threads"],
    }


def overlap_baselines(rows: np.ndarray, initial_rows: np.ndarray) -> dict:
    """Mean squared overlap of an unembedding's rows against its two baselines: the rows centred
    (the mean row removed: a direction shared by every token, ~80 % of the raw rows' variance here,
    sets a floor that flattens the raw slope against 1/m) and the same matrix at initialisation
    (random rows give 1/m exactly, so a slope near 1 may be left over from init)."""
    return {
        "mean_sq_overlap_centred": mean_sq_overlap(rows - rows.mean(axis=0)),
        "mean_sq_overlap_init": mean_sq_overlap(initial_rows),
    }


def initial_unembedding(payload: dict) -> np.ndarray:
    """The unembedding a trained model started from: rule shapes_train seeds torch with the spec's
    seed and builds the model, which draws every initial weight."""
    torch.manual_seed(payload["spec"]["seed"])
    return unembedding(GPT(GPTShape(**payload["shape"])))


def measure_models(paths, tokens, eval_windows: int, device: str, progress=None, baselines: bool = False) -> list[dict]:
    """model_record of every trained model in `paths`, each on `eval_windows` windows of the
    held-out stream in the `tokens` file (rule shapes_tokens), on `device` (config `device`); with
    `baselines`, also the overlaps of the centred rows and of the rows at initialisation."""
    heldout = load_payload(tokens, "token stream")["heldout"]
    device = resolve_device(device)
    rows = []
    for path in paths:
        model, payload = load_trained(path)
        context = model.shape.context
        batches = windows(heldout, evaluation_starts(len(heldout), context, eval_windows), context)
        rows.append(model_record(model, payload, batches, device))
        if baselines:
            rows[-1] |= overlap_baselines(unembedding(model), initial_unembedding(payload))
            rows[-1]["n_trained_parameters"] = sum(value.numel() for value in payload["state_dict"].values())
            rows[-1]["lr"] = payload["spec"]["training"]["lr"]
        if progress is not None:
            print(
                f"{rows[-1]['model']}: held-out loss {rows[-1]['heldout_loss']:.4f}, mean squared overlap "
                f"{rows[-1]['mean_sq_overlap']:.4g} (x d_model = {rows[-1]['overlap_ratio']:.3f})",
                file=progress,
                flush=True,
            )
    return rows


def loss_curve(payload: dict) -> list[dict]:
    """The held-out loss curve recorded during training (ladder models), one row per point."""
    spec, history = payload["spec"], payload["history"]
    return [
        {
            "model": payload["model"],
            "d_model": spec["d_model"],
            "seed": spec["seed"],
            "step": step,
            "heldout_loss": loss,
        }
        for step, loss in zip(history["heldout_steps"], history["heldout_losses"])
    ]


def representations(model: GPT, batches: torch.Tensor, depths: list[float], device: torch.device) -> dict:
    """{("residual", depth): (tokens, d) stream, ("unembedding", None): (V, d) unit rows} and the blocks used."""
    blocks = {depth: depth_block(model.shape.n_layer, depth) for depth in depths}
    streams = residual_streams(model, batches, set(blocks.values()), device)
    found = {("residual", depth): streams[block] for depth, block in blocks.items()}
    found[("unembedding", None)] = normalised_rows(unembedding(model))[1]
    return {"matrices": found, "blocks": blocks}


def similarity_rows(models: dict[str, dict]) -> list[dict]:
    """CKA of every pair of models within an N group, for every representation.

    `models`: name -> {"spec": ..., "matrices": ..., "blocks": ...} (from `representations`)."""
    rows = []
    for a, b in combinations(sorted(models), 2):
        first, second = models[a], models[b]
        if first["spec"]["n_group"] != second["spec"]["n_group"]:
            continue
        same = (first["spec"]["n_layer"], first["spec"]["d_model"]) == (
            second["spec"]["n_layer"],
            second["spec"]["d_model"],
        )
        for (representation, depth), matrix in first["matrices"].items():
            rows.append(
                {
                    "n_group": first["spec"]["n_group"],
                    "model_a": a,
                    "model_b": b,
                    "n_layer_a": first["spec"]["n_layer"],
                    "d_model_a": first["spec"]["d_model"],
                    "seed_a": first["spec"]["seed"],
                    "n_layer_b": second["spec"]["n_layer"],
                    "d_model_b": second["spec"]["d_model"],
                    "seed_b": second["spec"]["seed"],
                    "kind": SAME if same else DIFFERENT,
                    "representation": representation,
                    "depth": depth,
                    "block_a": first["blocks"].get(depth),
                    "block_b": second["blocks"].get(depth),
                    "examples": len(matrix),
                    "cka": linear_cka(matrix, second["matrices"][(representation, depth)]),
                }
            )
    return rows
