"""Rule llm_tables: concatenate the per-model files into heads.csv, losses.csv and zipf.csv."""

import json
from pathlib import Path

import pandas as pd

from superscale.llm.zipf import fit_zipf
from superscale.provenance.runlog import logged

smk = snakemake

with logged(smk):
    models = smk.params.models
    heads = pd.DataFrame(
        [{k: v for k, v in json.load(open(path)).items() if k != "histogram"} for path in smk.input.heads]
    )
    heads.to_csv(smk.output.heads, index=False)
    losses = pd.DataFrame([json.load(open(path)) for path in smk.input.losses])
    losses.insert(1, "family", losses.model.map(lambda m: models[m]["family"]))
    losses.insert(2, "d_model", losses.model.map(lambda m: models[m]["d_model"]))
    losses.to_csv(smk.output.losses, index=False)
    rows = []
    for path in map(Path, smk.input.counts):
        model, dataset = path.parent.name, path.stem
        counts = pd.read_csv(path)["count"].to_numpy()
        row = {"model": model, "family": models[model]["family"], "dataset": dataset}
        rows.append(
            row | (fit_zipf(counts, smk.params.points) if len(counts) >= 3 else {"zipf_exponent": float("nan")})
        )
    pd.DataFrame(rows).to_csv(smk.output.zipf, index=False)
    print(heads.to_string(), losses.to_string(), pd.DataFrame(rows).to_string(), sep="\n\n")
