"""Rule toy_train: train the cells of one job on their shared batches and store their weights."""

import torch

from superscale.core.device import resolve_device
from superscale.provenance.runlog import logged
from superscale.toy.cells import train_pack
from superscale.toy.spec import CellSpec

smk = snakemake

with logged(smk) as log:
    torch.set_num_threads(smk.threads)
    specs = [CellSpec.from_dict(dict(cell)) for cell in smk.params.cells]
    device = resolve_device(smk.params.device)
    models = sum(len(spec.widths) for spec in specs)
    print(f"training {models} models in {len(specs)} cell(s) on {device} ({smk.threads} threads)")
    for spec in specs:
        print(f"  {spec}")
    torch.save(train_pack(specs, device, progress=log), smk.output.weights)
