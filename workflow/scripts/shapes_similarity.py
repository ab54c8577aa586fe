"""Rule shapes_similarity: linear CKA between every pair of models of one N group -> similarity.csv."""

import pandas as pd
import torch

from superscale.core.device import resolve_device
from superscale.core.stored import load_payload
from superscale.provenance.runlog import logged
from superscale.shapes.measures import load_trained, representations, similarity_rows
from superscale.shapes.token_stream import evaluation_starts, windows

smk = snakemake

with logged(smk):
    torch.set_num_threads(smk.threads)
    device = resolve_device(smk.params.device)
    settings = smk.params.similarity
    heldout = load_payload(smk.input.tokens, "token stream")["heldout"]
    models = {}
    for path in smk.input.weights:
        model, payload = load_trained(path)
        context = model.shape.context
        batches = windows(heldout, evaluation_starts(len(heldout), context, settings["windows"]), context)
        models[payload["model"]] = {"spec": payload["spec"]} | representations(
            model, batches, settings["depths"], device
        )
        print(f"{payload['model']}: blocks {models[payload['model']]['blocks']} on {batches[:, :-1].numel()} tokens")
    table = pd.DataFrame(similarity_rows(models))
    table.to_csv(smk.output.similarity, index=False)
    print(table.groupby(["n_group", "representation", "depth", "kind"], dropna=False).cka.describe().to_string())
