"""Reuters-21578 (Distribution 1.0) SGML loader, for benchmarks and evaluation only.

The collection is for research use and must not ship with the package, so the loader lives
here and reads the files from ``../shared/data/reuters21578`` (or a path given).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from syndicate import Article

DEFAULT_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "reuters21578"

_STORY = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.DOTALL)
_NEWID = re.compile(r'NEWID="(\d+)"')
_FIELD = {name: re.compile(rf"<{name}>(.*?)</{name}>", re.DOTALL) for name in ("DATE", "TITLE", "BODY")}
_PARAGRAPH_START = re.compile(r"\n(?= {2,})")  # body paragraphs are indented
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def available(directory: Path = DEFAULT_DIR) -> bool:
    return any(directory.glob("reut2-*.sgm"))


def read_reuters(directory: Path = DEFAULT_DIR, with_body_only: bool = True) -> Iterator[Article]:
    """Every story, in file order, as an Article with id ``reuters-NEWID``."""
    for path in sorted(directory.glob("reut2-*.sgm")):
        raw = path.read_bytes().decode("latin-1")
        for match in _STORY.finditer(raw):
            attributes, body = match.groups()
            story_id = _NEWID.search(attributes)
            text = _field(body, "BODY")
            if story_id is None or (with_body_only and not text):
                continue
            paragraphs = tuple(p for p in (_clean(piece) for piece in _PARAGRAPH_START.split(text or "")) if p)
            if not paragraphs:
                continue
            yield Article(id=f"reuters-{story_id.group(1)}", paragraphs=paragraphs,
                          title=_clean(_field(body, "TITLE") or "") or None,
                          outlet="Reuters", date=_iso_date(_field(body, "DATE")))


def _field(body: str, name: str) -> str | None:
    match = _FIELD[name].search(body)
    return match.group(1) if match else None


def _clean(text: str) -> str:
    if "&" in text:
        text = html.unescape(text)
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
    text = " ".join(text.replace("Reuter\n", "").split())  # str.split() splits on exactly what \s matches
    return "" if text in {"Reuter", "REUTER"} else text


def _iso_date(raw: str | None) -> str | None:
    if not raw:
        return None
    try:
        return datetime.strptime(raw.strip()[:20], "%d-%b-%Y %H:%M:%S").isoformat()
    except ValueError:
        return None
