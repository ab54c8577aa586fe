"""Rule shapes_bottleneck: cache the trunk's final hidden states, train a head hidden -> m ->
vocabulary for every width and seed, and record each head's losses, held-out curve, convergence
gate and overlaps (raw, centred, at initialisation) -> bottleneck.csv, bottleneck_curves.csv;
the trunk's own loss on the same tokens and the stream's Zipf exponent -> bottleneck.json."""

import json

import pandas as pd
import torch

from superscale.core.stored import load_payload
from superscale.llm.unembedding import mean_sq_overlap
from superscale.llm.zipf import count_tokens, fit_zipf
from superscale.provenance.runlog import logged
from superscale.shapes.bottleneck import HeadSettings, cooldown_drop, cross_entropy, final_states, plateau, train_head
from superscale.shapes.convergence import gate
from superscale.shapes.measures import load_trained, overlap_baselines
from superscale.shapes.token_stream import evaluation_starts, windows

smk = snakemake

with logged(smk) as log:
    torch.set_num_threads(smk.threads)
    torch.use_deterministic_algorithms(True, warn_only=True)
    settings = smk.params.settings
    trunk, payload = load_trained(smk.input.trunk)
    hidden, vocab, context = trunk.shape.d_model, trunk.shape.vocab, trunk.shape.context
    widths = sorted(set(settings["widths"])) + [hidden]  # the full-width head: L_inf, measured
    stream = load_payload(smk.input.tokens, "token stream")
    train_windows = windows(
        stream["train"], evaluation_starts(len(stream["train"]), context, settings["train_windows"]), context
    )
    heldout_windows = windows(
        stream["heldout"], evaluation_starts(len(stream["heldout"]), context, smk.params.eval_windows), context
    )
    train, heldout = final_states(trunk, train_windows), final_states(trunk, heldout_windows)
    readout = trunk.unembedding.weight.detach()
    trunk_record = {
        "trunk": payload["model"],
        "trunk_width": hidden,
        "vocab": vocab,
        "trunk_heldout_loss": cross_entropy(lambda h: h @ readout.T, *heldout),
        "trunk_train_loss": cross_entropy(lambda h: h @ readout.T, *train),
        "trunk_mean_sq_overlap": mean_sq_overlap(readout.numpy()),
        "train_positions": len(train[0]),
        "heldout_positions": len(heldout[0]),
        "zipf": fit_zipf(count_tokens(stream["train"].tolist())),
    }
    print(
        f"trunk {payload['model']}: held-out loss {trunk_record['trunk_heldout_loss']:.4f} on the cached states",
        file=log,
    )
    head_settings = HeadSettings(
        **{key: settings[key] for key in ("steps", "batch_size", "lr", "warmup_steps", "curve_every", "cooldown_steps")}
    )
    plateau_end = head_settings.steps - head_settings.cooldown_steps
    rows, curves = [], []
    for width in widths:
        for seed in settings["seeds"]:
            label = f"head m={width} seed {seed}"
            head, record = train_head(train, heldout, width, vocab, seed, head_settings, label, progress=log)
            rows.append(
                {
                    "width": width,
                    "full_width": width == hidden,
                    "seed": seed,
                    "vocab": vocab,
                    "heldout_loss": record["heldout_loss"],
                    "train_loss": record["train_loss"],
                    "n_parameters": record["n_parameters"],
                    "presentations": record["presentations"],
                    "distinct_tokens_per_parameter": len(train[0]) / record["n_parameters"],
                    "lr": head_settings.lr,
                    "mean_sq_overlap": mean_sq_overlap(head.up.weight.detach().numpy()),
                    **overlap_baselines(head.up.weight.detach().numpy(), record["initial_rows"]),
                    # the gate reads the constant-rate phase: had the loss stopped falling before the cooldown?
                    **gate(*plateau(record, plateau_end), smk.params.gate),
                    "cooldown_drop_percent": cooldown_drop(record, plateau_end),
                }
            )
            curves += [
                {"width": width, "seed": seed, "step": step, "heldout_loss": loss}
                for step, loss in zip(record["curve_steps"], record["curve_losses"])
            ]
    table = pd.DataFrame(rows)
    table["overlap_ratio"] = table.mean_sq_overlap * table.width
    table.to_csv(smk.output.heads, index=False)
    pd.DataFrame(curves).to_csv(smk.output.curves, index=False)
    with open(smk.output.summary, "w") as out:
        json.dump(trunk_record, out, indent=1)
    print(table.to_string())
