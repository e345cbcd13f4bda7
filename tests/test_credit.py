from __future__ import annotations

import pytest

from syndicate.credit import agency_credit


@pytest.mark.parametrize(
    ("paragraphs", "agency"),
    [
        (["Title", "— Beirut (AFP)", "Body"], "AFP"),
        (["WASHINGTON (AP) — The president said"], "AP"),
        (["By Reuters", "July 15, 2018"], "Reuters"),
        (["By The Associated Press"], "AP"),
        (["By Pishtaz and AFP |", "Caption [Anwar Amro/AFP]"], None),  # joint byline, photo credit: not wire text
        (["The AP reported that talks went well."], None),
    ],
)
def test_agency_credit(paragraphs: list[str], agency: str | None) -> None:
    assert agency_credit(paragraphs) == agency
