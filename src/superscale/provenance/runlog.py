"""Send a pipeline script's output, warnings and progress bars to its rule's log file, under a
first line that records the job's provenance (superscale.provenance.header.job_header)."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from pathlib import Path

from superscale.provenance.header import HEADER, job_header


@contextlib.contextmanager
def logged(smk) -> Iterator[object]:
    """Redirect stdout, stderr and logging to the job's log (line-buffered) for the body, after the
    job header; yield the file. `smk` is the script's `snakemake` object."""
    path = Path(smk.log[0])
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", buffering=1) as log, contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        log.write(HEADER + json.dumps(job_header(smk), default=str) + "\n")
        logging.basicConfig(stream=log, level=logging.INFO, format="%(asctime)s %(message)s", force=True)
        logging.captureWarnings(True)
        try:
            yield log
        except BaseException:
            import traceback

            traceback.print_exc(file=log)
            raise
