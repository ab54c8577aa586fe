"""Rule shapes_tokens: split the corpus, train the one BPE tokenizer on the training documents,
encode both splits; record the counts and the unigram baseline the models must beat."""

import json
import os

import numpy as np

from superscale.llm.texts import load_documents
from superscale.provenance.runlog import logged
from superscale.shapes.token_stream import encode, split_documents, train_tokenizer, unigram_loss

smk = snakemake

with logged(smk):
    documents = load_documents(smk.params.corpus)[: smk.params.max_documents]
    train, heldout = split_documents(documents, smk.params.heldout_every)
    os.environ["RAYON_NUM_THREADS"] = str(smk.threads)  # the BPE trainer's cores: the rule's threads, not all
    tokenizer = train_tokenizer(train, smk.params.vocab_size)
    vocab = tokenizer.get_vocab_size()
    if vocab != smk.params.vocab_size:
        raise ValueError(
            f"the corpus yields only {vocab} BPE entries, config shapes.vocab_size asks for {smk.params.vocab_size}"
        )
    tokenizer.save(smk.output.tokenizer)
    train_tokens, heldout_tokens = encode(tokenizer, train), encode(tokenizer, heldout)
    np.savez(smk.output.tokens, train=train_tokens, heldout=heldout_tokens)
    corpus = {
        "corpus": smk.params.corpus["name"],
        "documents": len(documents),
        "train_documents": len(train),
        "heldout_documents": len(heldout),
        "train_characters": sum(map(len, train)),
        "heldout_characters": sum(map(len, heldout)),
        "vocab": vocab,
        "train_tokens": int(len(train_tokens)),
        "heldout_tokens": int(len(heldout_tokens)),
        "unigram_loss_heldout": unigram_loss(train_tokens, heldout_tokens, vocab),
        "unigram_loss_train": unigram_loss(train_tokens, train_tokens, vocab),
    }
    with open(smk.output.corpus, "w") as out:
        json.dump(corpus, out, indent=1)
    print(json.dumps(corpus, indent=1))
