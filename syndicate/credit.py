"""Agency credits ("Beirut (AFP)", "By Reuters", "(AP) —"), a strong hint of which copy is the wire text."""

from __future__ import annotations

import re
from collections.abc import Sequence

AGENCIES = {
    "afp": "AFP", "agence france-presse": "AFP", "agence france presse": "AFP",
    "ap": "AP", "associated press": "AP", "the associated press": "AP",
    "reuters": "Reuters", "thomson reuters": "Reuters", "pa": "PA", "press association": "PA",
    "dpa": "dpa", "ansa": "ANSA", "efe": "EFE", "xinhua": "Xinhua", "kyodo": "Kyodo", "yonhap": "Yonhap",
    "upi": "UPI", "anadolu": "Anadolu", "bloomberg": "Bloomberg", "pti": "PTI", "ians": "IANS", "tass": "TASS",
}  # fmt: skip
_NAMES = "|".join(sorted((re.escape(k) for k in AGENCIES), key=len, reverse=True))
# A dateline credit: "BEIRUT (AFP) -", "(AP) —", "- Beirut (AFP)".
_DATELINE = re.compile(rf"\(({_NAMES})\)", re.IGNORECASE)
# A byline paragraph that is only the agency: "By Reuters", "Associated Press", "By The Associated Press".
_BYLINE = re.compile(rf"^\W*(?:by\s+)?({_NAMES})\W*$", re.IGNORECASE)
_SCANNED_PARAGRAPHS = 6


def agency_credit(paragraphs: Sequence[str]) -> str | None:
    """The agency an article credits as its own source in its opening or closing lines, if any."""
    edges = list(paragraphs[:_SCANNED_PARAGRAPHS]) + list(paragraphs[-2:])
    for paragraph in edges:
        match = _BYLINE.match(paragraph) or _DATELINE.search(paragraph[:300])
        if match:
            return AGENCIES[match.group(1).lower()]
    return None
