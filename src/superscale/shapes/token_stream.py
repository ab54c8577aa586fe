"""The one token stream every model of the shape sweep reads.

- Documents (a `superscale.llm.texts` corpus, in its fixed order) are split by position: every
  `heldout_every`-th document (indices k-1, 2k-1, ...) is held out, the rest train. Held-out text
  is therefore never seen in training, not even by the tokenizer.
- One byte-level BPE tokenizer (the `tokenizers` package, deterministic for a given input) is
  trained on the training documents only; `<|endoftext|>` (id 0) ends every document.
- Training windows (context + 1 tokens: inputs and shifted targets) start at offsets drawn once
  from the data seed, so that every model sees the same batches in the same order and only its
  shape and init seed differ. Evaluation windows are evenly spaced over the held-out stream, so a
  small token budget still samples every held-out document.
"""

from __future__ import annotations

import numpy as np
import torch

END_OF_TEXT = "<|endoftext|>"


def split_documents(documents: list[str], heldout_every: int) -> tuple[list[str], list[str]]:
    """(training documents, held-out documents): index i is held out when i % k == k - 1."""
    if heldout_every < 2:
        raise ValueError(f"heldout_every must be at least 2, got {heldout_every}")
    heldout = [doc for i, doc in enumerate(documents) if i % heldout_every == heldout_every - 1]
    train = [doc for i, doc in enumerate(documents) if i % heldout_every != heldout_every - 1]
    if not heldout or not train:
        raise ValueError(
            f"{len(documents)} document(s) with heldout_every={heldout_every} leave "
            f"{len(train)} for training and {len(heldout)} held out; both need at least one"
        )
    return train, heldout


def train_tokenizer(documents: list[str], vocab_size: int):
    """A byte-level BPE tokenizer with `vocab_size` entries (id 0: end of text)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[END_OF_TEXT],
        show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tokenizer.train_from_iterator(documents, trainer)
    return tokenizer


def encode(tokenizer, documents: list[str]) -> np.ndarray:
    """The documents' token ids in order, each followed by the end-of-text id."""
    end = tokenizer.token_to_id(END_OF_TEXT)
    dtype = np.uint16 if tokenizer.get_vocab_size() <= 2**16 else np.uint32
    pieces = [np.asarray(e.ids + [end], dtype=dtype) for e in tokenizer.encode_batch(documents)]
    return np.concatenate(pieces)


def unigram_loss(fitted: np.ndarray, scored: np.ndarray, vocab: int) -> float:
    """Cross-entropy (nats per token) on `scored` of the unigram frequencies of `fitted` with
    add-one smoothing: the loss of a predictor that ignores context, the floor a model must beat."""
    counts = np.bincount(fitted.astype(np.int64), minlength=vocab) + 1.0
    log_p = np.log(counts / counts.sum())
    return float(-log_p[scored.astype(np.int64)].mean())


def training_starts(n_tokens: int, context: int, batch_size: int, steps: int, seed: int) -> np.ndarray:
    """(steps, batch_size) window offsets, uniform over the stream, from the data seed alone."""
    if n_tokens <= context + 1:
        raise ValueError(f"a stream of {n_tokens} tokens is too short for windows of {context} + 1")
    return np.random.default_rng(seed).integers(0, n_tokens - context, size=(steps, batch_size))


def evaluation_starts(n_tokens: int, context: int, windows: int) -> np.ndarray:
    """`windows` offsets evenly spaced over the stream (windows may overlap on a short stream)."""
    if n_tokens <= context + 1:
        raise ValueError(f"a stream of {n_tokens} tokens is too short for windows of {context} + 1")
    return np.linspace(0, n_tokens - context - 1, windows).astype(np.int64)


def windows(tokens: np.ndarray, starts: np.ndarray, context: int) -> torch.Tensor:
    """(len(starts), context + 1) int64 windows: inputs are [:, :-1], targets [:, 1:]."""
    index = np.asarray(starts)[:, None] + np.arange(context + 1)
    return torch.from_numpy(tokens[index].astype(np.int64))
