"""The LLM registry (config/models.yaml): load, merge extra entries, validate, look up.

An entry names a model's Hugging Face id, family, d_model as the paper used it, the head tensor
name(s), whether the head is tied to the input embedding, and where its weights come from
(`source`). The schema is workflow/schemas/models.schema.yaml.
"""

from __future__ import annotations

from pathlib import Path

import jsonschema
import yaml


class RegistryError(ValueError):
    """A registry or model list that does not match the schema or names an unknown model."""


def load_registry(path: str | Path, schema: str | Path, extra: dict | None = None) -> dict[str, dict]:
    """Model name -> entry, from the registry file plus `extra` entries (which win), validated."""
    path = Path(path)
    if not path.is_file():
        raise RegistryError(f"LLM registry {path}: no such file")
    document = yaml.safe_load(path.read_text()) or {}
    models = dict(document.get("models") or {})
    models.update(extra or {})
    document["models"] = models
    validator = jsonschema.Draft202012Validator(yaml.safe_load(Path(schema).read_text()))
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [f"  models.{'.'.join(map(str, e.absolute_path))[7:] or '<root>'}: {e.message}" for e in errors[:10]]
        raise RegistryError(f"LLM registry {path} (plus config llm.extra_models) is invalid:\n" + "\n".join(lines))
    return models


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
