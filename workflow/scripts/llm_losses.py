"""Rule llm_losses: one model's loss on every configured text, one JSON file per dataset.

The model is loaded (and its GGUF dequantised) once for all datasets. Each dataset's samples
(superscale.llm.texts.evaluation_documents) are scored each from its own start, truncated at
min(llm.loss.context, the model's position limit), until llm.loss.tokens tokens are predicted
(superscale.llm.loss); the row records the documents scored and the context used. A corpus that
is not installed here is recorded as skipped, with the reason, in its file and in the log. Times go
to the log (and the job's benchmark file), not into the rows, so that reruns give the same table.
"""

import json
import logging
import time

from superscale.llm.loss import evaluate, load_model, unavailable_row
from superscale.llm.texts import TextUnavailable, evaluation_documents
from superscale.llm.weights import load_manifest
from superscale.provenance.runlog import logged

smk = snakemake

with logged(smk):
    name, settings = smk.wildcards.model, smk.params.settings
    manifest = load_manifest(smk.input.manifest)
    model, tokenizer = load_model(name, manifest, threads=smk.threads, device=smk.params.device)
    for dataset, path in zip(smk.params.datasets, smk.output.losses):
        spec = smk.params.datasets[dataset]
        started = time.perf_counter()
        try:
            documents = evaluation_documents(spec)
            row = evaluate(model, tokenizer, documents, settings["tokens"], settings["context"], f"{name}/{dataset}")
            row["status"] = "ok"
            logging.info(
                "%s/%s: %d of %d documents scored (%d truncated), %d tokens, context %d",
                name,
                dataset,
                row["documents"],
                len(documents),
                row["documents_truncated"],
                row["tokens"],
                row["context_used"],
            )
        except TextUnavailable as error:
            logging.warning("NOTICE %s/%s skipped: %s", name, dataset, error)
            row = unavailable_row(str(error))
        row = {"model": name, "dataset": dataset, "kind": spec["kind"]} | row
        logging.info("%s/%s: %.1f s", name, dataset, time.perf_counter() - started)
        with open(path, "w") as out:
            json.dump(row, out, indent=1)
        print(json.dumps(row))
