"""Read one named tensor (the LM head) from a GGUF, safetensors or PyTorch .bin file, checked.

Every failure (truncated or corrupted file, missing tensor, shape that disagrees with the file's
own metadata) raises WeightError naming the model, the file and what was expected.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from superscale.llm.weights import HeadMatrix, WeightError


def _pick(name: str, path, available, wanted: list[str]) -> str:
    for tensor in wanted:
        if tensor in available:
            return tensor
    sample = ", ".join(sorted(available)[:8])
    raise WeightError(f"model {name}: {path} holds none of the head tensors {wanted} (it has e.g. {sample})")


def _field(reader, key: str):
    field = reader.fields.get(key)
    return None if field is None else field.contents()


def gguf_layout(name: str, path: str | Path):
    """Open a GGUF file and check that every tensor's data lies inside the file."""
    import gguf

    path = Path(path)
    if not path.is_file():
        raise WeightError(f"model {name}: GGUF file {path} does not exist")
    try:
        reader = gguf.GGUFReader(path)
    except Exception as error:  # the reader raises ValueError, IndexError, ... on bad bytes
        raise WeightError(
            f"model {name}: {path} is not a readable GGUF file (truncated or corrupted?): {error}"
        ) from error
    size = os.path.getsize(path)
    for tensor in reader.tensors:
        if tensor.data_offset + tensor.n_bytes > size:
            raise WeightError(
                f"model {name}: {path} is truncated: tensor {tensor.name} ends at byte "
                f"{tensor.data_offset + tensor.n_bytes}, the file has {size}"
            )
    return reader


# A tied model's GGUF may also store its embedding as the output matrix (at another precision):
# the same parameters twice
TIED_COPY, EMBEDDING = "output.weight", "token_embd.weight"


def gguf_parameters(tensors: dict, tied: bool) -> int:
    """Parameters of a GGUF's tensors (name -> tensor), a tied embedding's stored copy counted once."""
    copy = TIED_COPY if tied and TIED_COPY in tensors and EMBEDDING in tensors else None
    return int(sum(int(t.n_elements) for tensor_name, t in tensors.items() if tensor_name != copy))


def read_gguf(name: str, path: str | Path, wanted: list[str], tied: bool = False) -> HeadMatrix:
    """Dequantise one tensor of a GGUF file to float32 (rows = vocabulary, columns = width); the
    parameter count is the file's, with the output copy of a tied embedding (`tied`) left out."""
    import gguf

    reader = gguf_layout(name, path)
    tensors = {t.name: t for t in reader.tensors}
    tensor = tensors[_pick(name, path, tensors, wanted)]
    width, rows = (int(x) for x in tensor.shape[:2])  # ggml order: ne0 (columns) first
    try:
        matrix = np.asarray(gguf.quants.dequantize(tensor.data, tensor.tensor_type), dtype=np.float32)
    except Exception as error:
        raise WeightError(
            f"model {name}: cannot dequantise {tensor.name} ({tensor.tensor_type.name}) in {path}: {error}"
        ) from error
    matrix = matrix.reshape(-1, matrix.shape[-1])
    if matrix.shape != (rows, width):
        raise WeightError(
            f"model {name}: {tensor.name} in {path} dequantised to {matrix.shape}, header says {(rows, width)}"
        )
    arch = _field(reader, "general.architecture")
    embedding = _field(reader, f"{arch}.embedding_length") if arch else None
    if embedding is not None and int(embedding) != width:
        raise WeightError(
            f"model {name}: {tensor.name} in {path} has width {width}, the file's {arch}.embedding_length is {embedding}"
        )
    tokens = reader.fields.get("tokenizer.ggml.tokens")
    if tokens is not None and len(tokens.data) != rows:
        raise WeightError(
            f"model {name}: {tensor.name} in {path} has {rows} rows, the file's tokenizer has {len(tokens.data)} tokens"
        )
    return HeadMatrix(name, tensor.name, matrix, str(path), tensor.tensor_type.name, gguf_parameters(tensors, tied))


def read_safetensors(name: str, path: str | Path, wanted: list[str]) -> HeadMatrix:
    from safetensors import safe_open

    path = Path(path)
    if not path.is_file():
        raise WeightError(f"model {name}: safetensors file {path} does not exist")
    try:
        with safe_open(path, framework="pt") as handle:
            tensor_name = _pick(name, path, set(handle.keys()), wanted)
            tensor = handle.get_tensor(tensor_name)
    except WeightError:
        raise
    except Exception as error:
        raise WeightError(
            f"model {name}: {path} is not a readable safetensors file (truncated or corrupted?): {error}"
        ) from error
    return _from_torch(name, path, tensor_name, tensor)


def read_bin(name: str, path: str | Path, wanted: list[str]) -> HeadMatrix:
    import torch

    path = Path(path)
    if not path.is_file():
        raise WeightError(f"model {name}: PyTorch weights file {path} does not exist")
    try:
        try:
            state = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
        except RuntimeError as error:  # a legacy (pre-zip) pickle cannot be memory-mapped
            if "mmap" not in str(error):
                raise
            state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise WeightError(
            f"model {name}: {path} is not a readable PyTorch state dict (truncated or corrupted?): {error}"
        ) from error
    if not isinstance(state, dict):
        raise WeightError(f"model {name}: {path} holds a {type(state).__name__}, expected a state dict")
    tensor_name = _pick(name, path, state, wanted)
    return _from_torch(name, path, tensor_name, state[tensor_name])


def _from_torch(name, path, tensor_name, tensor) -> HeadMatrix:
    if tensor.ndim != 2:
        raise WeightError(
            f"model {name}: {tensor_name} in {path} has shape {tuple(tensor.shape)}, expected a 2-d (vocab x width) matrix"
        )
    matrix = tensor.float().numpy().astype(np.float32, copy=False)
    return HeadMatrix(name, tensor_name, matrix, str(path), str(tensor.dtype).replace("torch.", ""))
