# Validation of the config and what every stage shares: the output roots, canonical params, the
# code fingerprint of each rule (set for every rule at the end of the Snakefile) and the run's
# identity. Each stage's own helpers head its rules file.
import hashlib
import json
import os
from pathlib import Path

import yaml

from snakemake.utils import validate

from superscale.core.configfiles import check_config, load_yaml
from superscale.core.roots import output_roots
from superscale.provenance.code import code_fingerprint as fingerprint
from superscale.provenance.code import keep_between_runs
from superscale.toy.plan import family_batch


def missing_sections(config):
    """The schema's required top-level sections that the config lacks. Under --configfile the
    Snakefile reads no default, so a section the user left out is missing, not borrowed.
    """
    schema = Path(workflow.basedir) / "workflow/schemas/config.schema.yaml"
    return [
        key
        for key in yaml.safe_load(schema.read_text())["required"]
        if key not in config
    ]


if workflow.overwrite_configfiles and (missing := missing_sections(config)):
    raise ValueError(
        f"config files {', '.join(map(os.path.relpath, workflow.overwrite_configfiles))} lack the "
        f"section(s) {', '.join(missing)}: a run with --configfile uses only the files given, so "
        "every required section must be in one of them; copy the section from config/config.yaml"
    )
# Snakemake's reader keeps the last of two equal keys without a word; read them strictly.
for path in workflow.overwrite_configfiles:
    load_yaml(os.path.relpath(path))
validate(config, "../workflow/schemas/config.schema.yaml")
check_config(config)
# This config's output roots: <results>, <logs>, <resources> and <paper> in every rule's paths.
ROOTS = output_roots(config)
workflow.register_pathvars(**ROOTS)
# The batch toy_esweep and toy_fig18 train at, written in where it is toy_small's by default, so
# that the methods and the reproduction report name each family's own.
for section in ("toy_esweep", "toy_fig18"):
    config[section]["batch_size"] = family_batch(config, section)


def canonical(value):
    """Dicts with sorted keys, recursively: params compare by their text, so a config rewritten
    with its keys in another order must not rerun anything."""
    if isinstance(value, dict):
        return {key: canonical(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [canonical(item) for item in value]
    return value


# Each module's meaning is kept between workflow parses, keyed by its text (a no-op run's largest cost)
keep_between_runs(".snakemake/superscale/code-meanings.json")


def code_fingerprint(script, modules=()):
    """The meaning of a script and of the library code it imports; `modules` are those the script
    imports by name (a figure's drawing)."""
    base = Path(workflow.basedir)
    return fingerprint(base / script, base / "src", modules)


def fingerprint_rule_code():
    """Give every rule that runs a script the param `code`, the fingerprint of its script, so that
    Snakemake's params trigger reruns a rule exactly when its code changes in meaning (not on comments
    or layout). Called once every rule is defined; a rule that sets `code` itself (a figure rule, whose
    drawing depends on the figure) keeps its own."""
    for each in workflow.rules:
        if each.script and "code" not in each.params.keys():
            script = Path(
                each.basedir.join(each.script).get_path_or_uri(secret_free=True)
            )
            each.set_params(code=code_fingerprint(script.relative_to(workflow.basedir)))


# The run's identity for the paper's source lines and the audit: the config files given on the
# command line (none: the Snakefile's default) and the content of the config they made.
CONFIG_FILES = [os.path.relpath(path) for path in workflow.overwrite_configfiles]
CONFIG_SHA256 = hashlib.sha256(
    json.dumps(canonical(config), default=str).encode()
).hexdigest()
