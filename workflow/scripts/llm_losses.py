"""Rule llm_losses: one model's loss on every configured text, one JSON file per dataset.

The model is loaded (and its GGUF dequantised) once for all datasets. A corpus that is not
installed here is recorded as skipped, with the reason, in its file and in the log.
"""

import json
import logging
import time

from superscale.llm_loss import evaluate, load_model, unavailable_row
from superscale.runlog import logged
from superscale.texts import TextUnavailable, load_documents

with logged(snakemake):  # noqa: F821
    smk = snakemake  # noqa: F821
    name, settings = smk.wildcards.model, smk.params.settings
    manifest = json.load(open(smk.input.manifest))
    model, tokenizer = load_model(name, manifest, threads=smk.threads, device=smk.params.device)
    for dataset, path in zip(smk.params.datasets, smk.output.losses):
        spec = smk.params.datasets[dataset]
        started = time.perf_counter()
        try:
            documents = load_documents(spec)
            row = evaluate(model, tokenizer, documents, settings["tokens"], settings["context"], f"{name}/{dataset}")
            row["status"] = "ok"
        except TextUnavailable as error:
            logging.warning("NOTICE %s/%s skipped: %s", name, dataset, error)
            row = unavailable_row(str(error))
        row = {"model": name, "dataset": dataset, "kind": spec["kind"]} | row
        row["seconds"] = time.perf_counter() - started
        with open(path, "w") as out:
            json.dump(row, out, indent=1)
        print(json.dumps(row))
