"""Rule shapes_train: train one model of the shape sweep on the shared token stream; store its
weights with everything that made them (shape, seeds, settings, loss history, counted N)."""

import os

os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # deterministic cuBLAS, set before CUDA starts

import time

import torch

from superscale.core.device import configure_precision, resolve_device
from superscale.core.stored import load_payload
from superscale.provenance.runlog import logged
from superscale.shapes.gpt import GPT, GPTShape, non_embedding_parameters
from superscale.shapes.token_stream import evaluation_starts, training_starts, windows
from superscale.shapes.training import LMSettings, train_language_model

smk = snakemake

with logged(smk) as log:
    spec, name = smk.params.spec, smk.wildcards.shapes_model
    torch.set_num_threads(smk.threads)
    torch.use_deterministic_algorithms(True, warn_only=True)
    device = resolve_device(smk.params.device)
    configure_precision(device)
    stream = load_payload(smk.input.tokens, "token stream")
    tokens = stream["train"]
    shape = GPTShape(
        vocab=spec["vocab"],
        context=spec["context"],
        n_layer=spec["n_layer"],
        d_model=spec["d_model"],
        head_dim=spec["head_dim"],
    )
    settings = LMSettings(**spec["training"])
    torch.manual_seed(spec["seed"])
    model = GPT(shape)
    n = non_embedding_parameters(model)
    print(
        f"{name}: {shape}, N = {n:,} (non-embedding), init seed {spec['seed']}, data seed {spec['data_seed']}, "
        f"{device}, {smk.threads} thread(s)"
    )
    starts = training_starts(len(tokens), shape.context, settings.batch_size, settings.steps, spec["data_seed"])
    started = time.perf_counter()
    curve = None
    if "curve" in spec:  # the ladder's held-out loss curve
        heldout = stream["heldout"]
        curve_windows = evaluation_starts(len(heldout), shape.context, spec["curve"]["windows"])
        curve = (windows(heldout, curve_windows, shape.context), spec["curve"]["every"])
    history = train_language_model(model, tokens, starts, settings, device, name, progress=log, curve=curve)
    torch.save(
        {
            "model": name,
            "shape": shape.as_dict(),
            "spec": spec,
            "n_nonembedding": n,
            "state_dict": {key: value.cpu() for key, value in model.state_dict().items()},
            "history": history,
            "device": str(device),
            "threads": smk.threads,
            "wall_seconds": time.perf_counter() - started,
        },
        smk.output.weights,
    )
    print(
        f"{name}: final train loss {history['final_train_loss']:.4f} after {history['tokens_trained']:,} tokens "
        f"in {history['train_seconds']:.1f} s"
    )
