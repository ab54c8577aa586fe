"""Tiny random language models for the tests: a Llama snapshot directory (safetensors + tokenizer)
and a GGUF file with a quantised head, both written in well under a second."""

from __future__ import annotations

from pathlib import Path

import numpy as np

TEXT = ("the quick brown fox jumps over the lazy dog while the king and the queen of denmark "
        "speak of ghosts, poison and revenge in the castle at elsinore ") * 20


def tiny_tokenizer(vocab: int = 300):
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(vocab_size=vocab, special_tokens=["<unk>", "<s>", "</s>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tokenizer.train_from_iterator([TEXT], trainer)
    from tokenizers import decoders

    tokenizer.decoder = decoders.ByteLevel()
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token="<unk>", bos_token="<s>", eos_token="</s>")


def write_tiny_llama(directory: Path, d_model: int, vocab: int = 300, seed: int = 0) -> Path:
    """A one-layer tied Llama of width d_model, saved with its tokenizer (safetensors)."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    tokenizer = tiny_tokenizer(vocab)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=d_model, intermediate_size=2 * d_model,
                         num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=2,
                         max_position_embeddings=128, tie_word_embeddings=True,
                         bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id)
    directory.mkdir(parents=True, exist_ok=True)
    LlamaForCausalLM(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def write_tiny_models(root: Path) -> None:
    """The three models of tests/config/tiny.yaml."""
    for d_model in (8, 16, 32):
        write_tiny_llama(root / f"tiny-{d_model}", d_model, seed=d_model)


def write_tiny_gguf(path: Path, vocab: int = 64, width: int = 32, qtype: str = "Q8_0", seed: int = 0,
                    declared_width: int | None = None, blocks: int = 0) -> np.ndarray:
    """A GGUF with a quantised token_embd.weight (vocab x width) and llama metadata, plus `blocks`
    blocks of one (width x width) float32 tensor each; returns the dequantised head matrix."""
    import gguf

    rng = np.random.default_rng(seed)
    matrix = rng.normal(size=(vocab, width)).astype(np.float32)
    kind = gguf.GGMLQuantizationType[qtype]
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_embedding_length(declared_width or width)
    writer.add_token_list([f"t{i}" for i in range(vocab)])
    if blocks:
        writer.add_block_count(blocks)
    for block in range(blocks):
        writer.add_tensor(f"blk.{block}.attn_q.weight", np.ones((width, width), dtype=np.float32))
    data = gguf.quants.quantize(matrix, kind) if kind not in (gguf.GGMLQuantizationType.F32,) else matrix
    writer.add_tensor("token_embd.weight", data, raw_shape=None if kind == gguf.GGMLQuantizationType.F32 else None,
                      raw_dtype=None if kind == gguf.GGMLQuantizationType.F32 else kind)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return gguf.quants.dequantize(data, kind).reshape(vocab, width)
