"""Send a pipeline script's output, warnings and progress bars to its rule's log file."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def logged(path: str | Path) -> Iterator[object]:
    """Redirect stdout, stderr and logging to `path` (line-buffered) for the body; yield the file."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", buffering=1) as log, contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        logging.basicConfig(stream=log, level=logging.INFO, format="%(asctime)s %(message)s", force=True)
        logging.captureWarnings(True)
        try:
            yield log
        except BaseException:
            import traceback

            traceback.print_exc(file=log)
            raise
