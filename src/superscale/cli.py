"""The `superscale` command: `superscale audit PATH` prints what made a pipeline output;
`superscale rerun PATH` runs the script that made it again, outside Snakemake, for debugging."""

from __future__ import annotations

import sys

from superscale.provenance import rerun
from superscale.provenance.audit import run as audit

COMMANDS = {"audit": audit, "rerun": rerun.main}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in COMMANDS:
        print(f"usage: superscale {{{','.join(COMMANDS)}}} ...", file=sys.stderr)
        return 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main())
