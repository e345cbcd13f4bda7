"""The report in a real browser: headless Chromium opens the overview and a cluster page, takes a
screenshot of each (not blank) and measures the layout (no horizontal overflow at 1,000 pixels).

Debian's `chromium` package (/usr/bin/chromium) is what CI installs (.ci/run); without it these
tests skip. Chromium runs in its own session with a fresh profile; the tests wait for it to exit
(it exits once the screenshot or the DOM is written) and then kill whatever is left of its process
group, so nothing outlives a test and nothing waits on a clock.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from report_support import hostile_archive, wire_archive

from syndicate import read_articles, scan
from syndicate.html import build_report
from syndicate.html.pages import cluster_page

CHROMIUM = Path(os.environ.get("SYNDICATE_CHROMIUM", "/usr/bin/chromium"))
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.is_file(), reason=f"headless Chromium not installed at {CHROMIUM} "
                                                      "(apt-get install chromium; .ci/run does)"),
]
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars")
WIDTH = 1000
LONG_TOKEN = "https://example.com/" + "averyveryverylongpathsegment" * 12
PROBE = """
window.addEventListener("load", function () {
  var root = document.documentElement, scrollers = [], wide = [];
  document.querySelectorAll("body *").forEach(function (element) {
    if (element.scrollWidth > element.clientWidth + 1 && getComputedStyle(element).overflowX !== "visible") {
      scrollers.push(element.tagName + "." + element.className);
    }
    if (element.getBoundingClientRect().right > root.clientWidth + 1) {
      wide.push(element.tagName + "." + element.className);
    }
  });
  var found = {}, form = document.getElementById("cluster-filters");
  if (form) {  // use the clusters table as a reader would: filter by an outlet, then sort by members
    var rows = Array.prototype.slice.call(document.querySelectorAll("#cluster-table tbody tr"));
    var select = form.querySelector('[data-filter="outlets"]');
    select.value = "Herald";
    select.dispatchEvent(new Event("change"));
    found.filtered = rows.filter(function (row) { return !row.hidden; })
                         .map(function (row) { return row.cells[0].textContent.trim(); });
    found.count = form.querySelector("[data-count]").textContent;
    select.value = "";
    select.dispatchEvent(new Event("change"));
    document.querySelector("#cluster-table th:nth-child(4) button").click();
    found.members = Array.prototype.map.call(document.querySelectorAll("#cluster-table tbody tr"), function (row) {
      return Number(row.cells[3].getAttribute("data-value"));
    });
  }
  document.body.setAttribute("data-probe", JSON.stringify({table: found,
    scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, scrollers: scrollers.slice(0, 5),
    wide: wide.slice(0, 5), title: document.title, ready: root.getAttribute("data-ready"),
    images: document.images.length}));
});
"""


def chromium(url: str, profile: Path, *flags: str) -> str:
    """Run headless Chromium on one page until it exits; its standard output."""
    command = [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *flags, url]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        out, err = b"", b"Chromium did not finish within 120 s"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # whatever Chromium left running in its session
        process.communicate()
    assert process.returncode == 0, err.decode(errors="replace")[-2000:]
    return out.decode()


def measure(page: Path, tmp_path: Path) -> dict:
    """Load a copy of the page with a probe script beside it; what the probe measured after load."""
    (page.parent / "probe.js").write_text(PROBE, encoding="utf-8")
    probed = page.with_name(f"probe-{page.name}")
    probed.write_text(page.read_text(encoding="utf-8").replace("</body>", '<script src="probe.js"></script></body>'),
                      encoding="utf-8")
    dom = chromium(probed.as_uri(), tmp_path / f"profile-{page.stem}", f"--window-size={WIDTH},900",
                   "--virtual-time-budget=10000", "--dump-dom")
    found = re.search(r'data-probe="([^"]*)"', dom)
    assert found, f"the probe did not run on {page.name}"
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))


def screenshot(page: Path, tmp_path: Path) -> Path:
    shot = tmp_path / f"{page.stem}.png"
    chromium(page.as_uri(), tmp_path / f"shot-{page.stem}", f"--window-size={WIDTH},1400", f"--screenshot={shot}")
    assert shot.is_file()
    return shot


def assert_not_blank(shot: Path) -> None:
    from PIL import Image

    with Image.open(shot) as image:
        assert image.size == (WIDTH, 1400)
        pixels = image.convert("L").resize((250, 350))
        histogram = pixels.histogram()
        inked = sum(histogram[:200]) / sum(histogram)
        assert inked > 0.02, f"{shot.name}: {inked:.1%} of the page is ink"
        assert len(image.convert("RGB").getcolors(1 << 20) or []) > 30


@pytest.fixture(scope="module")
def report(tmp_path_factory, seeds_dir):
    """The seeds' report, and the report of an archive made to break layouts and escaping."""
    root = tmp_path_factory.mktemp("browser")
    seeds = root / "seeds"
    build_report(scan(read_articles([seeds_dir])), lambda: read_articles([seeds_dir]), seeds, workers=1)
    source, copy = hostile_archive()
    long_line = replace(source, paragraphs=(*source.paragraphs, f"Read it at {LONG_TOKEN} today."), url=LONG_TOKEN)
    tricky = [*wire_archive(), long_line, copy]
    hostile = root / "hostile"
    result = scan(tricky)
    build_report(result, lambda: tricky, hostile, workers=1)
    (evil,) = [c for c in result.clusters if "evil-copy" in c.members]
    herald = [c.id for c in result.clusters if any(result.info[m].outlet == "Herald" for m in c.members)]
    return seeds, hostile / cluster_page(evil.id), herald, sorted(len(c.members) for c in result.clusters)


@pytest.mark.parametrize("name", ["index.html", "cluster-1.html"])
def test_the_seeds_report_renders_fits_1000_pixels_and_is_not_blank(report, name, tmp_path) -> None:
    seeds = report[0]
    page = seeds / name
    probe = measure(page, tmp_path)
    assert probe["scrollWidth"] <= probe["clientWidth"] == WIDTH, probe
    assert probe["wide"] == [] and probe["scrollers"] == [], probe
    if name == "index.html":
        assert probe["ready"] == "true"  # the report's script ran from the file system, under its CSP
    assert_not_blank(screenshot(page, tmp_path))


def test_hostile_text_neither_runs_nor_breaks_the_layout(report, tmp_path) -> None:
    page = report[1]
    probe = measure(page, tmp_path)
    assert probe["title"] != "pwned" and probe["title"].startswith("Cluster ")  # the injected script would set it
    assert probe["images"] == 0  # nor did the injected <img> become one
    assert probe["scrollWidth"] <= probe["clientWidth"] == WIDTH, probe
    assert probe["wide"] == [] and probe["scrollers"] == [], probe


def test_the_clusters_table_filters_by_outlet_and_sorts_in_the_browser(report, tmp_path) -> None:
    _, cluster, herald, sizes = report
    probe = measure(cluster.with_name("index.html"), tmp_path)
    assert probe["ready"] == "true"
    assert probe["table"]["filtered"] == [str(n) for n in herald] and len(herald) == 1
    assert probe["table"]["count"] == f"1 of {len(sizes)} clusters"
    assert probe["table"]["members"] == sizes  # one click on "members": ascending
    assert probe["scrollWidth"] <= probe["clientWidth"] == WIDTH and probe["wide"] == [], probe
