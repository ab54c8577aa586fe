"""The `superscale` command: `superscale audit PATH` prints what made a pipeline output."""

from __future__ import annotations

import sys

from superscale.provenance.audit import run

COMMANDS = {"audit": run}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in COMMANDS:
        print(f"usage: superscale {{{','.join(COMMANDS)}}} ...", file=sys.stderr)
        return 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main())
