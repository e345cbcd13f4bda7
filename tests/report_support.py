"""A small archive with outlets, agency credits and dates, whose reuse is known by construction.

* Story A: AP copy first printed by the Daily Planet under an "(AP)" dateline (the cluster's
  source), then run whole by the Gazette, which adds two paragraphs, and in part by the Herald.
* Story B: Reuters' own feed (outlet "Reuters"), run by the Gazette.
* Two stories of the outlets' own, and an article made of paragraphs of A and B plus its own
  text (a composite) at the Courier.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from factories import story

from syndicate import Article

STORY_A = story(101, paragraphs=8)
STORY_B = story(202, paragraphs=8)
OWN = story(303, paragraphs=6)
GAZETTE_EXTRA = story(404, paragraphs=2)
HERALD_OWN = story(505, paragraphs=5)
COURIER_OWN = story(606, paragraphs=3)


def wire_archive() -> list[Article]:
    return [
        Article("a-planet", (f"WASHINGTON (AP) — {STORY_A[0]}", *STORY_A[1:]), title="Story A",
                outlet="Daily Planet", date="2024-03-01T08:00:00+00:00"),
        Article("a-gazette", (*STORY_A[:4], *GAZETTE_EXTRA, *STORY_A[4:]), title="Story A, Gazette",
                outlet="Gazette", date="2024-03-01T10:30:00+00:00"),
        Article("a-herald", tuple(STORY_A[:5]), title="Story A, Herald", outlet="Herald",
                date="2024-03-02T09:00:00+00:00"),
        Article("b-reuters", (f"LONDON (Reuters) - {STORY_B[0]}", *STORY_B[1:]), title="Story B",
                outlet="Reuters", date="2024-03-01T07:00:00+00:00"),
        Article("b-gazette", tuple(STORY_B), title="Story B, Gazette", outlet="Gazette",
                date="2024-03-01T12:00:00+00:00"),
        Article("own-gazette", tuple(OWN), title="Gazette's own", outlet="Gazette", date="2024-03-02T11:00:00+00:00"),
        Article("own-herald", tuple(HERALD_OWN), title="Herald's own", outlet="Herald"),
        composite(),
    ]


def composite() -> Article:
    """Three paragraphs of A, three of B, three of its own, one too short to trace."""
    return Article("mix-courier", (STORY_A[1], STORY_A[2], COURIER_OWN[0], STORY_B[3], STORY_B[4], STORY_B[5],
                                   COURIER_OWN[1], STORY_A[6], COURIER_OWN[2], "Read more."),
                   title="Roundup", outlet="Courier", date="2024-03-02T15:00:00+00:00")



HOSTILE = '<script>document.title = "pwned"</script><img src=x onerror="document.title=\'pwned\'">'


def hostile_archive() -> list[Article]:
    """A story whose text, title, outlet, URL and id all try to inject markup, and a copy of it."""
    text = (HOSTILE, *story(707, paragraphs=6))
    return [
        Article('evil/../<b>"id"', text, title=f"Title {HOSTILE}", outlet='<i>Evil</i> "Times"',
                date="2024-03-03T09:00:00+00:00", url="javascript:alert(1)"),
        Article("evil-copy", (*text, "Our own closing line, long enough to count as a paragraph of its own."),
                title="A copy", outlet="Copycat", date="2024-03-03T10:00:00+00:00"),
    ]


class Page(HTMLParser):
    """What a test needs from a page: its links, its element ids, its scripts and its visible text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.scripts: list[dict[str, str | None]] = []
        self.text_parts: list[str] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.elements.append((tag, found))
        if found.get("id"):
            self.ids.add(str(found["id"]))
        for name in ("href", "src"):
            if found.get(name):
                self.links.append(str(found[name]))
        if tag == "script":
            self.scripts.append(found)

    def handle_data(self, data: str) -> None:
        self.text_parts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.text_parts)


def broken_links(folder: Path) -> list[str]:
    """Every href/src of every page that does not name a file of the folder (and an id in it, after '#')."""
    pages = {path.name: Page(path.read_text(encoding="utf-8")) for path in folder.glob("*.html")}
    broken = []
    for name, page in pages.items():
        for link in page.links:
            target, _, anchor = link.partition("#")
            target = target or name
            if "://" in link or link.startswith(("javascript:", "data:", "/")):
                broken.append(f"{name}: {link} (not local)")
            elif not (folder / target).is_file():
                broken.append(f"{name}: {link} (no file)")
            elif anchor and anchor not in pages[target].ids:
                broken.append(f"{name}: {link} (no id)")
    return broken
