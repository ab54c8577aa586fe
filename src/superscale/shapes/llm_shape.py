"""An LLM's shape for the aspect-ratio analysis (Katta): layer count and non-embedding N.

Read from the weights where the source holds the whole model, else from the registry:
- GGUF: `{arch}.block_count` from the header; N counts the elements of every tensor except the
  token and position embeddings and the output head (from the header; nothing is dequantised);
- a local snapshot (safetensors or .bin, sharded or not): the layer count from config.json
  (num_hidden_layers, n_layer or num_layers); N counts every tensor whose name marks no embedding
  or head (EMBEDDING_MARKERS);
- the hub (only the head's shard is fetched): the registry's n_layer, and Kaplan's estimate
  N = 12 n_layer d_model^2, marked as such in `n_nonembedding_method`.
A registry n_layer that disagrees with the file raises WeightError naming the model.
"""

from __future__ import annotations

import json
from pathlib import Path

from superscale.llm.weights import WeightError, verify
from superscale.shapes.plan import kaplan_n

GGUF_EMBEDDINGS = ("token_embd.", "position_embd.", "token_types.", "output.weight")
EMBEDDING_MARKERS = (
    "embed_tokens",
    "wte.",
    "wpe.",
    "embed_positions",
    "embed_in",
    "embed_out",
    "lm_head",
    "word_embeddings",
    "position_embeddings",
)
LAYER_KEYS = ("num_hidden_layers", "n_layer", "num_layers")
COUNTED = "counted"
KAPLAN = "12 n_layer d_model^2"


def _gguf_shape(name: str, path: str) -> tuple[int, int]:
    from superscale.llm.weights.readers import gguf_layout

    reader = gguf_layout(name, path)
    arch = reader.fields["general.architecture"].contents()
    blocks = reader.fields.get(f"{arch}.block_count")
    if blocks is None:
        raise WeightError(f"model {name}: {path} has no {arch}.block_count in its header")
    n = sum(int(t.n_elements) for t in reader.tensors if not t.name.startswith(GGUF_EMBEDDINGS))
    return int(blocks.contents()), n


def _tensor_sizes(path: Path) -> dict[str, int]:
    if path.suffix == ".safetensors":
        from safetensors import safe_open

        with safe_open(path, framework="pt") as handle:
            return {key: _product(handle.get_slice(key).get_shape()) for key in handle.keys()}
    import torch

    state = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
    return {key: tensor.numel() for key, tensor in state.items()}


def _product(shape) -> int:
    total = 1
    for size in shape:
        total *= int(size)
    return total


def _snapshot_shape(name: str, directory: Path) -> tuple[int, int]:
    config = json.loads((directory / "config.json").read_text())
    layers = next((config[key] for key in LAYER_KEYS if key in config), None)
    if layers is None:
        raise WeightError(f"model {name}: {directory / 'config.json'} names no layer count ({', '.join(LAYER_KEYS)})")
    files = []
    for index in ("model.safetensors.index.json", "pytorch_model.bin.index.json"):
        if (directory / index).is_file():
            files = sorted(set(json.loads((directory / index).read_text())["weight_map"].values()))
            break
    files = files or [f for f in ("model.safetensors", "pytorch_model.bin") if (directory / f).is_file()][:1]
    if not files:
        raise WeightError(f"model {name}: snapshot {directory} has no weights file to count")
    sizes: dict[str, int] = {}
    for file in files:
        sizes |= _tensor_sizes(directory / file)
    n = sum(size for key, size in sizes.items() if not any(marker in key for marker in EMBEDDING_MARKERS))
    return int(layers), n


def model_shape(name: str, entry: dict, manifest: dict) -> dict:
    """{n_layer, n_nonembedding, n_nonembedding_method} of one registry model."""
    verify(name, manifest)
    registry_layers = entry.get("n_layer")
    model_dir = manifest.get("model_dir")
    if manifest["head_format"] == "gguf":
        layers, n = _gguf_shape(name, manifest["head_file"])
    elif manifest["kind"] != "hub" and model_dir is not None and (Path(model_dir) / "config.json").is_file():
        layers, n = _snapshot_shape(name, Path(model_dir))
    elif registry_layers is not None:
        return {
            "n_layer": int(registry_layers),
            "n_nonembedding": kaplan_n(registry_layers, entry["d_model"]),
            "n_nonembedding_method": KAPLAN,
        }
    else:
        raise WeightError(
            f"model {name}: its weights source holds only the head, so its layer count must be in the "
            f"registry (n_layer in config/models.yaml or llm.extra_models)"
        )
    if registry_layers is not None and int(registry_layers) != layers:
        raise WeightError(
            f"model {name}: the registry says n_layer {registry_layers}, its weights have {layers} layers"
        )
    return {"n_layer": layers, "n_nonembedding": n, "n_nonembedding_method": COUNTED}
