"""Evaluation loss of an LLM on a text, in nats per token, token-weighted as in the paper.

As the authors scored (their LLMs/cali-1.py: one tokenizer call per sample with truncation=True,
max_length=2048, and total_loss / total_tokens): every document (a sample of superscale.llm.texts'
evaluation_documents) is scored on its own, from its start, truncated at the context, and no
sequence ever crosses from one document into the next. The context is min(config context, the
model's position limit), BOS included: a model cannot embed more positions than its config's
`max_position_embeddings` (`n_positions` of GPT-2, 1024; OPT 2048: its learned table has two more
rows, an offset, so 2048 positions fit, BOS among them). The effective context is recorded as
`context_used` and its clamping logged.

A document is tokenised with the model's own tokenizer (no special tokens); where the tokenizer
puts a BOS in front of a text by itself (OPT, Gemma), that BOS is put in front here too, so that
the document's first token is predicted, and it counts in the context. Documents are taken in order
until `tokens` tokens have been predicted: the last one is truncated so that exactly the remaining
budget is predicted (or is scored whole where it is shorter), so the budget is a hard, deterministic
cap; a text that runs out first scores fewer. A document that yields fewer than two input positions
(one token and no BOS) predicts nothing and is skipped. The loss is total_loss / total_tokens over
every predicted token: the paper's token-weighted mean (its denominator counted the unshifted
positions, one per sample more than were predicted; ours counts exactly the predicted ones).
"""

from __future__ import annotations

import functools
import logging
import math
import os
import sys
import time
from contextlib import contextmanager

from superscale.llm.weights import WeightError, verify

log = logging.getLogger(__name__)


def load_model(name: str, manifest: dict, threads: int = 1, tokenizer_only: bool = False, device: str = "cpu"):
    """(model or None, tokenizer) from a weights manifest, in float32; device auto|cpu|cuda
    (on CUDA the model is spread over the visible GPUs with device_map="auto", as in the paper)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.set_num_threads(threads)
    if manifest.get("model_dir") is None:
        raise WeightError(
            f"model {name}: its source ({manifest.get('head_file')}) holds the head only; a forward pass needs a "
            f"snapshot directory (config.json, tokenizer, weights), a GGUF file or the hub"
        )
    verify(name, manifest)
    kwargs = {"gguf_file": manifest["gguf_file"]} if manifest.get("gguf_file") else {}
    started = time.perf_counter()
    tokenizer = _cached_gguf_tokenizer(manifest) if kwargs else AutoTokenizer.from_pretrained(manifest["model_dir"])
    log.info("%s: tokenizer loaded in %.1f s", name, time.perf_counter() - started)
    if tokenizer_only:
        return None, tokenizer
    started = time.perf_counter()
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda":
        kwargs["device_map"] = "auto"
    with gguf_parsed_once():
        model = AutoModelForCausalLM.from_pretrained(manifest["model_dir"], dtype=torch.float32, **kwargs)
    model.eval()
    log.info("%s: model loaded in %.1f s", name, time.perf_counter() - started)
    return model, tokenizer


@contextmanager
def gguf_parsed_once():
    """Within this block each GGUF file is parsed once and each gguf tensor-name map built once.

    transformers reads a GGUF model's file twice (for its config, then for its weights) and builds
    gguf's tensor-name map anew for every module it maps; both are read-only to their users, so one
    parse and one map serve every call. Same weights, bit for bit; loads on one CPU core: SmolLM2-135M
    23 -> 7 s, Qwen2.5-Coder-0.5B 52 -> 35 s, Gemma-3-270M 68 -> 35 s.
    """
    import gguf

    reader_class, name_map = gguf.GGUFReader, gguf.get_tensor_name_map
    readers = {}

    def parsed(path, mode="r"):
        key = (os.path.realpath(path), mode)
        if key not in readers:
            readers[key] = reader_class(path, mode)
        return readers[key]

    gguf.GGUFReader, gguf.get_tensor_name_map = parsed, functools.cache(name_map)
    try:
        yield
    finally:
        gguf.GGUFReader, gguf.get_tensor_name_map = reader_class, name_map


def _cached_gguf_tokenizer(manifest: dict):
    """A GGUF's tokenizer, converted by transformers once (10-40 s) and kept as a fast tokenizer
    beside the GGUF, keyed by the file's name; the cached copy is written atomically."""
    import os
    import shutil
    import tempfile
    from pathlib import Path

    from transformers import AutoTokenizer

    cached = Path(manifest["model_dir"]) / f"{manifest['gguf_file']}.tokenizer"
    if (cached / "tokenizer.json").is_file():
        return AutoTokenizer.from_pretrained(cached)
    tokenizer = AutoTokenizer.from_pretrained(manifest["model_dir"], gguf_file=manifest["gguf_file"])
    staging = Path(tempfile.mkdtemp(dir=cached.parent, prefix=".tokenizer-"))
    tokenizer.save_pretrained(staging)
    try:
        os.rename(staging, cached)
    except OSError:  # another job cached it first
        shutil.rmtree(staging, ignore_errors=True)
    return tokenizer


def bos_id(tokenizer) -> int | None:
    """The BOS id where the tokenizer itself puts one in front of a text, else None."""
    ids = tokenizer("a", add_special_tokens=True)["input_ids"]
    bos = tokenizer.bos_token_id
    return bos if bos is not None and len(ids) > 0 and ids[0] == bos else None


def token_ids(tokenizer, documents: list[str], limit: int) -> list[int]:
    """The documents' tokens in order (no special tokens, documents joined by a blank line),
    stopping once `limit` tokens are reached."""
    ids: list[int] = []
    for index, document in enumerate(documents):
        text = document if index == 0 else "\n\n" + document
        ids += tokenizer(text, add_special_tokens=False)["input_ids"]
        if len(ids) >= limit:
            break
    return ids[:limit]


# config attributes that hold a model's number of positions, in order of preference
POSITION_KEYS = ("max_position_embeddings", "n_positions", "n_ctx", "max_sequence_length", "seq_length")


def position_limit(config) -> int | None:
    """The most positions (BOS included) the model can embed, from its config: max_position_embeddings
    (GPT-2's n_positions is the same attribute through its attribute_map; OPT's learned table has
    max_position_embeddings + 2 rows, the first two unused, so max_position_embeddings is the
    usable count). None where the config names none."""
    if hasattr(config, "get_text_config"):
        config = config.get_text_config()
    for key in POSITION_KEYS:
        value = getattr(config, key, None)
        if isinstance(value, int) and value > 0:
            return value
    return None


def scoring_context(model, context: int, label: str = "") -> int:
    """min(context, the model's position limit): the longest sequence scored, BOS included."""
    limit = position_limit(model.config)
    if limit is not None and limit < context:
        log.info(
            "%s: context %d clamped to %d, the model's position limit (BOS included)", label or "loss", context, limit
        )
        return limit
    return context


def evaluate(model, tokenizer, documents: list[str], tokens: int, context: int, label: str = "") -> dict:
    """Token-weighted mean cross-entropy (nats per predicted token) of the documents, each from its
    start and truncated at the context (BOS included), in order until `tokens` are predicted."""
    import torch
    from tqdm import tqdm

    used = scoring_context(model, context, label)
    if used < 2:
        raise ValueError(f"{label}: a context of {used} positions predicts nothing; at least 2 are needed")
    bos = bos_id(tokenizer)
    prefix = [bos] if bos is not None else []
    total, counted, scored, truncated, text_tokens = 0.0, 0, 0, 0, 0
    progress = tqdm(total=tokens, desc=label or "loss", file=sys.stderr, mininterval=5, ascii=True, unit="tok")
    with torch.inference_mode():
        for document in documents:
            if counted >= tokens:
                break
            ids = prefix + tokenizer(document, add_special_tokens=False)["input_ids"]
            inputs = ids[: min(used, tokens - counted + 1)]
            if len(inputs) < 2:
                continue
            truncated += len(inputs) < len(ids)
            batch = torch.tensor([inputs], device=model.device)
            logits = model(batch).logits[0, :-1].float()
            targets = batch[0, 1:].to(logits.device)
            total += float(torch.nn.functional.cross_entropy(logits, targets, reduction="sum"))
            counted += len(targets)
            scored += 1
            text_tokens += len(inputs) - len(prefix)
            progress.update(len(targets))
    progress.close()
    if counted == 0:
        raise ValueError(f"{label}: the text gives no document of at least 2 positions; nothing to score")
    return {
        "tokens": counted,
        "loss_nats": total / counted,
        "documents": scored,
        "documents_truncated": truncated,
        "context": context,
        "context_used": used,
        "position_limit": position_limit(model.config),
        "bos": bos is not None,
        "text_tokens": text_tokens,
    }


def unavailable_row(reason: str) -> dict:
    """The record of a dataset that could not be evaluated here (kept, never silently dropped)."""
    return {"tokens": 0, "loss_nats": math.nan, "documents": 0, "status": f"skipped: {reason}"}
