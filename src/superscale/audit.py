"""`python -m superscale.audit PATH`: the same as `superscale audit PATH` (superscale.provenance.audit)."""

import sys

from superscale.provenance.audit import run

if __name__ == "__main__":
    sys.exit(run())
