"""Rule shapes_llms: the registry LLMs' shapes (layers, non-embedding N, aspect) beside their
head overlaps (results/llm/heads/{model}.json) -> results/shapes/llm_shapes.csv."""

import json

import pandas as pd

from superscale.llm.weights import load_manifest
from superscale.provenance.runlog import logged
from superscale.shapes.compressed_sensing import implied_density
from superscale.shapes.llm_shape import model_shape

smk = snakemake

with logged(smk):
    rows = []
    for head_path, manifest_path in zip(smk.input.heads, smk.input.manifests):
        head, manifest = json.load(open(head_path)), load_manifest(manifest_path)
        name = manifest["model"]
        if head["model"] != name:
            raise ValueError(f"{head_path} holds model {head['model']}, {manifest_path} model {name}")
        entry = smk.params.models[name]
        shape = model_shape(name, entry, manifest)
        rows.append(
            {
                "model": name,
                "family": entry["family"],
                "d_model": entry["d_model"],
                "width": head["width"],
                "vocab": head["vocab"],
                **shape,
                "aspect": entry["d_model"] / shape["n_layer"],
                "mean_sq_overlap": head["mean_sq_overlap"],
                "overlap_ratio": head["mean_sq_overlap"] * head["width"],
                "phi_half": head["phi_half"],
                "implied_density_vocab": implied_density(head["vocab"], head["width"]),
            }
        )
    table = pd.DataFrame(rows)
    table.to_csv(smk.output.shapes, index=False)
    print(table.to_string())
