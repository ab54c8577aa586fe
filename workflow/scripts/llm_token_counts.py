"""Rule llm_token_counts: one tokenizer's token counts on every configured text (rank order).

Each output CSV has one row per distinct token, most frequent first (column `count`); a corpus
that is not installed gives an empty table and a notice in the log.
"""

import json
import logging

import pandas as pd

from superscale.llm.loss import load_model, token_ids
from superscale.llm.texts import TextUnavailable, load_documents
from superscale.llm.zipf import count_tokens
from superscale.provenance.runlog import logged

smk = snakemake

with logged(smk):
    name = smk.wildcards.model
    manifest = json.load(open(smk.input.manifest))
    _, tokenizer = load_model(name, manifest, tokenizer_only=True)
    for dataset, path in zip(smk.params.datasets, smk.output.counts):
        try:
            ids = token_ids(tokenizer, load_documents(smk.params.datasets[dataset]), smk.params.settings["tokens"])
        except TextUnavailable as error:
            logging.warning("NOTICE %s/%s skipped: %s", name, dataset, error)
            ids = []
        counts = count_tokens(ids)
        pd.DataFrame({"count": counts}).to_csv(path, index=False)
        print(f"{name}/{dataset}: {len(ids)} tokens, {len(counts)} distinct")
