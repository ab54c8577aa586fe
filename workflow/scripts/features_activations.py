"""Rule features_activations: one model's residual-stream activations at each configured depth, on
training and held-out windows, one file per depth; the same for the randomly initialised null
model; and the token at every training position (superscale.features.activations)."""

import logging
import time

import pandas as pd
import torch

from superscale.features.activations import collect, layer_index, random_model, split_documents
from superscale.llm.loss import load_model
from superscale.llm.weights import load_manifest
from superscale.provenance.runlog import logged

smk = snakemake


def read(model, tokenizer, documents, settings, layers, label):
    """Training and held-out activations of one model on the documents."""
    parts = {}
    for part in ("train", "heldout"):
        started = time.perf_counter()
        scored = part == "heldout" and not label.endswith("null")
        parts[part] = collect(
            model,
            tokenizer,
            documents[part],
            settings["tokens"][part],
            settings["context"],
            layers,
            f"{label}/{part}",
            scored,
        )
        logging.info(
            "%s/%s: %d windows in %.1f s", label, part, parts[part]["documents"], time.perf_counter() - started
        )
    return parts


def save(parts, layers, paths, name, n_layer, source):
    for depth_name, path in zip(layers, paths):
        layer = layers[depth_name]
        payload = {
            "model": name,
            "source": source,
            "depth": depth_name,
            "layer": layer,
            "n_layer": n_layer,
            "last": layer == n_layer,
            "train": parts["train"]["activations"][layer],
            "train_ids": parts["train"]["ids"],
            "heldout": parts["heldout"]["activations"][layer],
            "documents": {part: parts[part]["documents"] for part in parts},
        }
        if "targets" in parts["heldout"]:
            payload |= {
                "heldout_targets": parts["heldout"]["targets"],
                "model_loss_heldout": parts["heldout"]["model_loss"],
            }
        torch.save(payload, path)
        print(
            f"{name} ({source}) {depth_name} (hidden state {layer} of {n_layer}): train {tuple(payload['train'].shape)}"
        )


with logged(smk):
    name, settings = smk.wildcards.model, smk.params.settings
    manifest = load_manifest(smk.input.manifest)
    model, tokenizer = load_model(name, manifest, threads=smk.threads, device=smk.params.device)
    text_config = model.config.get_text_config() if hasattr(model.config, "get_text_config") else model.config
    n_layer = text_config.num_hidden_layers
    layers = {depth_name: layer_index(depth, n_layer) for depth_name, depth in settings["layers"].items()}
    logging.info("%s: %d blocks; hidden states %s", name, n_layer, layers)
    windows = {part: -(-tokens // (settings["context"] - 1)) for part, tokens in settings["tokens"].items()}
    windows = {part: count + count // 20 + 2 for part, count in windows.items()}  # a margin for short samples
    documents = split_documents(settings["texts"], windows, settings["sample_words"])
    indices = sorted(set(layers.values()))
    real = read(model, tokenizer, documents, settings, indices, name)
    save(real, layers, smk.output.activations, name, n_layer, "trained")
    null = read(random_model(model, settings["null_seed"]), tokenizer, documents, settings, indices, f"{name}/null")
    if not torch.equal(null["train"]["ids"], real["train"]["ids"]):
        raise RuntimeError(f"{name}: the null model read other tokens than the model; both must read the same windows")
    save(null, layers, smk.output.null, name, n_layer, "random-init")
    ids = real["train"]["ids"].numpy()
    pd.DataFrame({"position": range(ids.size), "token": ids}).to_csv(smk.output.tokens, index=False)
    print(f"{name}: {real['train']['documents']} training windows, {ids.size} tokens, {len(set(ids))} distinct")
