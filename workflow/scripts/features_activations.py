"""Rule features_activations: one model's residual-stream activations at each configured depth, on
training and held-out documents, one file per depth (superscale.features.activations)."""

import json
import logging
import time

import torch

from superscale.features.activations import collect, layer_index, split_documents
from superscale.llm.loss import load_model
from superscale.provenance.runlog import logged

smk = snakemake

with logged(smk):
    name, settings = smk.wildcards.model, smk.params.settings
    manifest = json.load(open(smk.input.manifest))
    model, tokenizer = load_model(name, manifest, threads=smk.threads, device=smk.params.device)
    text_config = model.config.get_text_config() if hasattr(model.config, "get_text_config") else model.config
    n_layer = text_config.num_hidden_layers
    layers = {depth_name: layer_index(depth, n_layer) for depth_name, depth in settings["layers"].items()}
    logging.info("%s: %d blocks; hidden states %s", name, n_layer, layers)
    train_documents, heldout_documents = split_documents(settings["texts"], settings["heldout_every"])
    parts = {}
    for part, documents, scored in (("train", train_documents, False), ("heldout", heldout_documents, True)):
        started = time.perf_counter()
        parts[part] = collect(
            model,
            tokenizer,
            documents,
            settings["tokens"][part],
            settings["context"],
            sorted(set(layers.values())),
            f"{name}/{part}",
            scored,
        )
        logging.info(
            "%s/%s: %d documents in %.1f s", name, part, parts[part]["documents"], time.perf_counter() - started
        )
    for depth_name, path in zip(settings["layers"], smk.output.activations):
        layer = layers[depth_name]
        payload = {
            "model": name,
            "depth": depth_name,
            "layer": layer,
            "n_layer": n_layer,
            "last": layer == n_layer,
            "train": parts["train"]["activations"][layer],
            "heldout": parts["heldout"]["activations"][layer],
            "heldout_targets": parts["heldout"]["targets"],
            "model_loss_heldout": parts["heldout"]["model_loss"],
            "documents": {part: parts[part]["documents"] for part in parts},
        }
        torch.save(payload, path)
        print(
            f"{name} {depth_name} (hidden state {layer} of {n_layer}): train {tuple(payload['train'].shape)}, "
            f"held-out {tuple(payload['heldout'].shape)}, model loss {payload['model_loss_heldout']:.4f}"
        )
