"""The LLM registry (config/models.yaml): load, merge extra entries, validate, look up.

An entry names a model's Hugging Face id, family, d_model as the paper used it, the head tensor
name(s), whether the head is tied to the input embedding, and where its weights come from
(`source`). The schema is workflow/schemas/models.schema.yaml.
"""

from __future__ import annotations

from pathlib import Path

import jsonschema
import yaml

from superscale.core.configfiles import ConfigError, load_yaml, nonfinite_keys


class RegistryError(ValueError):
    """A registry or model list that does not match the schema or names an unknown model."""


def load_registry(path: str | Path, schema: str | Path, extra: dict | None = None) -> dict[str, dict]:
    """Model name -> entry, from the registry file plus `extra` entries (which win), validated."""
    path = Path(path)
    if not path.is_file():
        raise RegistryError(f"LLM registry {path}: no such file")
    try:
        document = load_yaml(path) or {}
    except ConfigError as error:
        raise RegistryError(f"LLM registry {error}") from None
    models = dict(document.get("models") or {})
    models.update(extra or {})
    document["models"] = models
    validator = jsonschema.Draft202012Validator(yaml.safe_load(Path(schema).read_text()))
    errors = [leaf for error in validator.iter_errors(document) for leaf in _named(error)]
    errors.sort(key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        lines = [f"  {'.'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors[:10]]
        raise RegistryError(f"LLM registry {path} (plus config llm.extra_models) is invalid:\n" + "\n".join(lines))
    if bad := nonfinite_keys(document):
        raise RegistryError(f"LLM registry {path} (plus config llm.extra_models): {', '.join(bad)} not a finite number")
    return models


def _named(error) -> list:
    """The errors under a failed `oneOf` of source kinds that name the bad field: those of the branch
    whose kind the entry gives, or, for a missing or unknown kind, the known kinds (jsonschema alone
    says only that the source matches none of them)."""
    if error.validator != "oneOf" or not error.context:
        return [error]
    branches: dict[int, list] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    wrong_kind = lambda sub: list(sub.relative_path) == ["kind"] and sub.validator == "const"  # noqa: E731
    chosen = [subs for subs in branches.values() if not any(map(wrong_kind, subs))]
    if len(chosen) == 1:
        return [leaf for sub in chosen[0] for leaf in _named(sub)]
    known = [branch.get("properties", {}).get("kind", {}).get("const") for branch in error.validator_value]
    if None in known or not isinstance(error.instance, dict):
        return [error]
    given = error.instance.get("kind")
    error.message = (
        f"{'no kind given' if given is None else f'kind {given!r} is not known'}; "
        f"expected kind: one of {', '.join(known)}"
    )
    return [error]


def select(models: dict[str, dict], names: list[str]) -> dict[str, dict]:
    """The entries of `names`, in order; an unknown name is an error that lists the known ones."""
    unknown = [name for name in names if name not in models]
    if unknown:
        raise RegistryError(
            f"config llm.models names {unknown}, not in the registry; known models: {', '.join(sorted(models))}"
        )
    return {name: models[name] for name in names}


def head_width(entry: dict) -> int:
    """Columns of the head matrix: head_width where given (OPT-350m: 512), else d_model."""
    return int(entry.get("head_width", entry["d_model"]))
