"""Remake the README's screenshots of the HTML report, from the seeds only.

    .venv/bin/python docs/screenshots.py [--out docs]

The archive: the simulator's outlet copies of the seed stories (``syndicate simulate --from
seeds --stories 4 --seed 3``), plus one composite article made of a paragraph of two seeds each and
two of its own. Its report is opened in headless Chromium (Debian's ``chromium``) at 1,200
pixels: ``report-overview.png`` (the overview) and ``report-cluster.png`` (the AFP story's
cluster page). Nothing from the copyrighted corpora is used.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from syndicate import Article, read_articles, scan  # noqa: E402
from syndicate.html import build_report  # noqa: E402
from syndicate.simulate import SimulationConfig, simulate  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars")


def archive() -> list[Article]:
    seeds = {a.id: a for a in read_articles([ROOT / "seeds"])}
    articles = simulate(seeds.values(), SimulationConfig(stories=4, seed=3)).articles
    afp, other = seeds["002_a03570c17a29d6cf"], seeds["004_803d6f5bea246b18"]
    mixed = ("Local leaders in the south of the country said on Thursday that schools would stay open this week.",
             afp.paragraphs[4], other.paragraphs[4],
             "Parents queued outside the town hall for news, and the mayor promised a meeting on Friday evening.")
    return [*articles, Article("roundup~outlet-05", mixed, title="Middle East roundup", outlet="Outlet 05",
                               date="2000-01-01T14:00:00")]


def shoot(page: Path, image: Path, height: int, profile: Path) -> None:
    subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"--window-size=1200,{height}",
                    f"--screenshot={image}", page.as_uri()], check=True, timeout=120,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    articles = archive()
    result = scan(articles)
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report"
        build_report(result, lambda: articles, report, inputs=["seeds (simulated outlets)"], workers=1)
        (afp,) = [c for c in result.clusters if c.source == "002_a03570c17a29d6cf"]
        shoot(report / "index.html", args.out / "report-overview.png", 1500, Path(folder) / "profile-1")
        shoot(report / f"cluster-{afp.id}.html", args.out / "report-cluster.png", 1300, Path(folder) / "profile-2")
        print(json.dumps({"articles": result.articles, "clusters": len(result.clusters),
                          "cluster_page": f"cluster-{afp.id}.html"}))


if __name__ == "__main__":
    main()
