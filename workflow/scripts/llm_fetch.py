"""Rule llm_fetch: make one model's weights available (download, assemble, verify) -> manifest."""

import json

from superscale.llm.weights import fetch
from superscale.provenance.runlog import logged

smk = snakemake

with logged(smk):
    manifest = fetch(smk.wildcards.model, smk.params.entry, smk.params.cache_dir)
    with open(smk.output.manifest, "w") as out:
        json.dump(manifest, out, indent=1)
    print(json.dumps(manifest, indent=1))
