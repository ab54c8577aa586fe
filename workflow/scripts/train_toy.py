"""Rule train_toy: train the cells of one job on their shared batches and store their weights."""

import torch

from superscale.cells import CellSpec, train_pack
from superscale.runlog import logged
from superscale.trainer import resolve_device

with logged(snakemake) as log:
    torch.set_num_threads(snakemake.threads)
    specs = [CellSpec.from_dict(dict(cell)) for cell in snakemake.params.cells]
    device = resolve_device(snakemake.params.device)
    models = sum(len(spec.widths) for spec in specs)
    print(f"training {models} models in {len(specs)} cell(s) on {device} ({snakemake.threads} threads)")
    for spec in specs:
        print(f"  {spec}")
    torch.save(train_pack(specs, device, progress=log), snakemake.output.weights)
