"""Reading what a training job stored, safely and with an error that says how to make it again."""

from __future__ import annotations

import torch


def load_payload(path, what: str) -> dict:
    """A job's stored payload: tensors, dicts, lists, numbers and strings only (weights_only), since
    unpickling anything else could run code from the file.

    An unreadable file is named with the command that remakes it and everything made from it:
    deleting it is not enough, because the tables made from it are newer, so Snakemake would
    rebuild nothing; --forcerun reruns the job that makes the file and all after it."""
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise ValueError(
            f"{what} file {path} cannot be read as a weights-only payload ({error}); it is truncated or "
            f"corrupted, or not ours. Make it again and redo what was made from it: "
            f"`snakemake --cores all --forcerun {path}`, with your run's --configfile"
        ) from error
