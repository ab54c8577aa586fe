"""Rule train_toy_*: train every width of one grid cell and store the weights with their spec."""

import torch

from superscale.cells import CellSpec, train_cell
from superscale.runlog import logged
from superscale.trainer import resolve_device

with logged(snakemake.log[0]) as log:
    torch.set_num_threads(snakemake.threads)
    spec = CellSpec.from_dict(dict(snakemake.params.spec))
    device = resolve_device(snakemake.params.device)
    print(f"training {len(spec.widths)} models on {device} ({snakemake.threads} threads): {spec}")
    payload = train_cell(spec, device, progress=log)
    torch.save(payload, snakemake.output.weights)
