"""Tiny random language models for the tests: a Llama snapshot directory (safetensors + tokenizer)
and a GGUF file with a quantised head, both written in well under a second."""

from __future__ import annotations

from pathlib import Path

import numpy as np

TEXT = (
    "the quick brown fox jumps over the lazy dog while the king and the queen of denmark "
    "speak of ghosts, poison and revenge in the castle at elsinore "
) * 20


def tiny_tokenizer(vocab: int = 300, add_bos: bool = False):
    """A byte-level BPE tokenizer trained on TEXT; with add_bos it puts <s> in front of every text
    by itself (as OPT's and Gemma's tokenizers do), else it adds no special token."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab,
        special_tokens=["<unk>", "<s>", "</s>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator([TEXT], trainer)
    from tokenizers import decoders

    tokenizer.decoder = decoders.ByteLevel()
    if add_bos:
        tokenizer.post_processor = processors.TemplateProcessing(
            single="<s> $A", special_tokens=[("<s>", tokenizer.token_to_id("<s>"))]
        )
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token="<unk>", bos_token="<s>", eos_token="</s>")


def write_tiny_llama(directory: Path, d_model: int, vocab: int = 300, seed: int = 0) -> Path:
    """A one-layer tied Llama of width d_model, saved with its tokenizer (safetensors)."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    tokenizer = tiny_tokenizer(vocab)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=d_model,
        intermediate_size=2 * d_model,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=128,
        tie_word_embeddings=True,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    directory.mkdir(parents=True, exist_ok=True)
    LlamaForCausalLM(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def tiny_gpt2(vocab: int, positions: int, d_model: int = 16, seed: int = 0):
    """A one-layer GPT-2 with random weights and a position table of `positions` rows (n_positions)."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(seed)
    config = GPT2Config(
        vocab_size=vocab, n_positions=positions, n_embd=d_model, n_layer=1, n_head=2, bos_token_id=1, eos_token_id=2
    )
    return GPT2LMHeadModel(config).eval()


def tiny_opt(vocab: int, positions: int, d_model: int = 16, seed: int = 0):
    """A one-layer OPT with random weights and max_position_embeddings = `positions` (its learned
    table has two rows more: OPT's offset)."""
    import torch
    from transformers import OPTConfig, OPTForCausalLM

    torch.manual_seed(seed)
    config = OPTConfig(
        vocab_size=vocab,
        hidden_size=d_model,
        word_embed_proj_dim=d_model,
        ffn_dim=2 * d_model,
        num_hidden_layers=1,
        num_attention_heads=2,
        max_position_embeddings=positions,
        pad_token_id=0,
        bos_token_id=1,
        eos_token_id=2,
    )
    return OPTForCausalLM(config).eval()


def write_tiny_models(root: Path) -> None:
    """The three models of tests/config/tiny.yaml."""
    for d_model in (8, 16, 32):
        write_tiny_llama(root / f"tiny-{d_model}", d_model, seed=d_model)


def write_tiny_gguf(
    path: Path,
    vocab: int = 64,
    width: int = 32,
    qtype: str = "Q8_0",
    seed: int = 0,
    declared_width: int | None = None,
    blocks: int = 0,
) -> np.ndarray:
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
    writer.add_tensor(
        "token_embd.weight",
        data,
        raw_shape=None if kind == gguf.GGMLQuantizationType.F32 else None,
        raw_dtype=None if kind == gguf.GGMLQuantizationType.F32 else kind,
    )
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return gguf.quants.dequantize(data, kind).reshape(vocab, width)
