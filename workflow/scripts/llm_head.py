"""Rule llm_head: the statistics of one model's head matrix (norms, phi, overlaps) -> JSON."""

import json
import time

from superscale.llm.registry import head_width
from superscale.llm.unembedding import head_statistics
from superscale.llm.weights import load_manifest, read_head
from superscale.provenance.runlog import logged

smk = snakemake

with logged(smk):
    name, entry, settings = smk.wildcards.model, smk.params.entry, smk.params.settings
    manifest = load_manifest(smk.input.manifest)
    started = time.perf_counter()
    head = read_head(name, entry, manifest)
    print(
        f"{name}: read {head.tensor} {head.matrix.shape} ({head.stored_dtype}) in {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    stats = head_statistics(head.matrix, bins=settings["bins"], pairs=settings["sampled_pairs"], seed=settings["seed"])
    print(f"{name}: statistics in {time.perf_counter() - started:.1f} s")
    record = {
        "model": name,
        "hf_id": entry["hf_id"],
        "family": entry["family"],
        "d_model": entry["d_model"],
        "head_width": head_width(entry),
        "tied": entry["tied"],
        "tensor": head.tensor,
        "stored_dtype": head.stored_dtype,
        "source": manifest["kind"],
        "file": manifest["head_ref"],
        "n_params": head.n_params if head.n_params is not None else entry.get("n_params"),
        "n_params_counted": head.n_params is not None,
    } | stats
    with open(smk.output.stats, "w") as out:
        json.dump(record, out, indent=1)
    print(json.dumps({k: v for k, v in record.items() if k != "histogram"}, indent=1))
