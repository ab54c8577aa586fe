"""Which library code a pipeline script runs, and a fingerprint of what that code means.

A rule's code is its script plus every `superscale` module the script imports, directly or through
other modules (read from the import statements, not kept by hand), and any module it names to the script
to import (a figure's drawing, named by the figure registry, is imported by module name). The fingerprint hashes each
file's syntax tree with docstrings removed, so comments, docstrings and formatting do not change it
and any change to what the code does does. The rules pass it as a param, and Snakemake's params
trigger then reruns exactly the jobs whose code changed in meaning.

Parsing every module again on each workflow parse costs about a second and a half (a no-op run's
largest share), so `keep_between_runs` keeps each file's meaning and imports in a file keyed by
its content: a file is parsed again only when its text changed.
"""

from __future__ import annotations

import ast
import atexit
import hashlib
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path

PACKAGE = "superscale"

# content key -> {"meaning": ..., "imports": [...]}, loaded by keep_between_runs
_kept: dict[str, dict] = {}
_used: set[str] = set()


def keep_between_runs(file: str | Path) -> None:
    """Read the meanings and imports kept in `file` and write back those used when the process ends
    (entries of files no longer read are dropped, so the file does not grow)."""
    file = Path(file)
    try:
        _kept.update(json.loads(file.read_text()))
    except (OSError, ValueError):  # absent or unreadable: everything is parsed once and kept
        pass

    def write() -> None:
        kept = {key: _kept[key] for key in sorted(_used) if key in _kept}
        file.parent.mkdir(parents=True, exist_ok=True)
        partial = file.with_name(f"{file.name}.{os.getpid()}")
        partial.write_text(json.dumps(kept))
        os.replace(partial, file)

    atexit.register(write)


def _key(text: str, path: Path, src: Path) -> str:
    """What a file's meaning and imports depend on: its text, where it sits in the package (relative
    imports), and the Python whose syntax tree is dumped."""
    where = path.relative_to(src) if src in path.parents else Path("script")
    digest = hashlib.sha256(text.encode()).hexdigest()
    return f"{sys.version_info.major}.{sys.version_info.minor}:{where}:{digest}"


def _kept_entry(path: Path, src: Path) -> dict:
    """The file's meaning and imports: kept ones where its text is unchanged, else computed."""
    text = path.read_text()
    key = _key(text, path, src)
    _used.add(key)
    if key not in _kept:
        _kept[key] = {
            "meaning": _meaning_of_text(text, str(path)),
            "imports": sorted(_imported_by_text(text, path, src)),
        }
    return _kept[key]


def _module_file(name: str, src: Path) -> Path | None:
    """The file that defines module `name` (dotted) under src, or None when there is none."""
    base = src.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _module_name(path: Path, src: Path) -> str:
    parts = path.relative_to(src).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(path: Path, src: Path) -> frozenset[str]:
    """Dotted names of the package's modules that `path` imports anywhere in its body."""
    return frozenset(_kept_entry(path, src)["imports"])


def _imported_by_text(text: str, path: Path, src: Path) -> frozenset[str]:
    """The package modules a file's text imports (relative imports resolved from where it sits)."""
    inside = src in path.parents
    package = _module_name(path, src) if inside else ""
    if inside and path.name != "__init__.py":
        package = package.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(text, filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)  # `from pkg import module`
    return frozenset(
        module for name in names if name == PACKAGE or name.startswith(PACKAGE + ".") for module in _run_by(name, src)
    )


def _run_by(name: str, src: Path) -> list[str]:
    """The package modules that importing `name` runs: it and the __init__ of every package above it."""
    parts = name.split(".")
    return [module for i in range(1, len(parts) + 1) if _module_file(module := ".".join(parts[:i]), src)]


def code_files(script: str | Path, src: str | Path, modules: Iterable[str] = ()) -> list[Path]:
    """The script, the named `modules` and every library module they import transitively, the script first."""
    script, src = Path(script), Path(src)
    seen: dict[str, Path] = {}
    for module in modules:
        if _module_file(module, src) is None:
            raise ValueError(f"no module {module} under {src}: check the name (dotted, as imported)")
        seen.update({name: _module_file(name, src) for name in _run_by(module, src)})
    todo = [script, *seen.values()]
    while todo:
        for name in _imported(todo.pop(), src):
            if name not in seen:
                seen[name] = _module_file(name, src)
                todo.append(seen[name])
    return [script] + [seen[name] for name in sorted(seen)]


class _StripDocstrings(ast.NodeTransformer):
    def generic_visit(self, node: ast.AST) -> ast.AST:
        super().generic_visit(node)
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body:
            first = body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                node.body = body[1:] or [ast.Pass()]
        return node


def _meaning_of_text(text: str, filename: str) -> str:
    """The syntax tree without docstrings, comments, positions or layout (computed once per text:
    _kept_entry holds it, within a process and between runs)."""
    tree = _StripDocstrings().visit(ast.parse(text, filename=filename))
    return ast.dump(tree, annotate_fields=False, include_attributes=False)


def code_fingerprint(script: str | Path, src: str | Path, modules: Iterable[str] = ()) -> str:
    """SHA-256 (hex) over the meaning of the script, of the named `modules` and of each module they
    import, named by module."""
    src = Path(src)
    digest = hashlib.sha256()
    for path in code_files(script, src, modules):
        name = _module_name(path, src) if src in path.parents else "script"
        digest.update(f"{name}\n{_kept_entry(path, src)['meaning']}\n".encode())
    return digest.hexdigest()
