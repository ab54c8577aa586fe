"""Rule features_splice: one model's loss with each last-layer dictionary's reconstruction in place
of the residual stream the unembedding reads (superscale.features.splice)."""

import json
from pathlib import Path

import torch

from superscale.core.stored import load_payload
from superscale.features.dictionary import load
from superscale.features.splice import reference_losses, splice_losses
from superscale.llm.weights import load_manifest, read_head
from superscale.provenance.runlog import logged

smk = snakemake

with logged(smk):
    torch.set_num_threads(smk.threads)
    name = smk.wildcards.model
    head = torch.from_numpy(read_head(name, smk.params.entry, load_manifest(smk.input.manifest)).matrix)
    by_depth = {Path(path).stem: path for path in smk.input.activations}
    rows, references = [], {}
    for weights in smk.input.dictionaries:
        activations = by_depth[Path(weights).stem.rsplit("_x", 1)[0]]  # <depth>_x<size>.pt
        data = load_payload(activations, "activations")
        heldout, targets = data["heldout"], data["heldout_targets"]
        if activations not in references:
            references[activations] = reference_losses(heldout, data["train"].mean(0), head, targets)
        dictionary, _ = load(weights)
        row = {"model": name, "depth": data["depth"], "layer": data["layer"], "latents": dictionary.latents}
        row |= splice_losses(dictionary, heldout, head, targets, references[activations])
        row["loss_model"] = data["model_loss_heldout"]
        rows.append(row)
        print(json.dumps(row))
    json.dump(rows, open(smk.output.losses, "w"), indent=1)
