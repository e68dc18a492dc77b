"""Memory of site-template learning as the pages grow: the learned state (per site, per distinct paragraph
key) and the peak resident memory of the process that learns it, beside plain trafilatura.extract.

Builds records files of synthetic pages from the few hundred real paragraphs of the hand-cleaned gold
files (tests/gold, tests/site/gold, and ../shared/seeds when present; those of 12 words or more): each
page of a site holds 6 to 10 article paragraphs (a real paragraph with its words shuffled by the page's
own seed: distinct on every page, real words and lengths), the site's 3 template paragraphs (real
paragraphs) and on one page in five a fourth; one page in a hundred is a copy of another page of its
site. Then, each in a process of its own:

- `counts`: the map and the merge alone (`count_pages`, what grows with the pages), at a tenth of the
  pages and at all of them: peak RSS, seconds, distinct (site, paragraph) entries, and the state's bytes
  (tracemalloc, in a further process);
- `learn` (with --full): the whole of `templates learn`, the copies pass of `newsclean dedup` included;
- `trafilatura`: the baseline, plain `trafilatura.extract` over the first --baseline pages as HTML.

    python bench/templates.py [--pages 100000] [--sites 50] [--baseline 1000] [--full]

With --site, what the feature does to a real crawl instead: the fixture news site of the crawl tests
(tests/fixture_site.py serving tests/site/www) is served on 127.0.0.1, crawled with `newsclean crawl
news http://127.0.0.1:PORT --archive WARC` (delays off), and the WARC cleaned twice with `newsclean
clean`, without and with --site-templates (--save-templates keeps what was learned). Prints the pages,
each template paragraph learned with its support (n/N pages of the site), how many records hold each
one without and with the option (the residue that goes), and, against the hand-cleaned gold text of each
article of the site (tests/site/gold), the article paragraphs each run keeps and those the option loses
(the target is zero). The memory options do not apply to it.

    python bench/templates.py --site
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOLD = [ROOT / "tests" / "gold", ROOT / "tests" / "site" / "gold", ROOT.parent / "shared" / "seeds"]
TEMPLATES_A_SITE = 3


def real_paragraphs() -> list[str]:
    found = []
    for folder in GOLD:
        for path in sorted(folder.glob("*.gold.txt")) if folder.is_dir() else []:
            found += [p for p in path.read_text(encoding="utf-8").split("\n") if len(p.split()) >= 12]
    return found


def shuffled(paragraph: str, rng: random.Random) -> str:
    words = paragraph.split()
    rng.shuffle(words)
    return " ".join(words)


def write_records(path: Path, pages: int, sites: int, pool: list[str]) -> None:
    """The records of `pages` synthetic pages of `sites` sites (see the module's docstring)."""
    rng = random.Random(1)
    templates = [rng.sample(pool, TEMPLATES_A_SITE + 1) for _ in range(sites)]
    earlier: dict[int, list[str]] = {}
    with path.open("w", encoding="utf-8") as handle:
        for n in range(pages):
            site = n % sites
            page = random.Random(n)
            if n >= sites and page.random() < 0.01:
                paragraphs = earlier[site]  # a copy of the site's last page, at another address
            else:
                paragraphs = [shuffled(page.choice(pool), page) for _ in range(page.randint(6, 10))]
                paragraphs += templates[site][: TEMPLATES_A_SITE + (page.random() < 0.2)]
            earlier[site] = paragraphs
            record = {"id": f"{n:040x}", "url": f"https://site{site}.example/{n}", "sitename": None}
            handle.write(json.dumps({**record, "text": "\n".join(paragraphs), "date": None}) + "\n")


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def child(mode: str, records: Path, limit: int) -> dict[str, float]:
    """One measurement, in this (fresh) process."""
    from pipeline.corpus.dedup import iter_records

    def first() -> list[dict[str, object]]:
        found = []
        for record in iter_records(records):
            if len(found) == limit:
                break
            found.append(record)
        return found

    if mode == "trafilatura":
        import trafilatura

        pages = [
            "<html><body><article>"
            + "".join(f"<p>{p}</p>" for p in str(r["text"]).split("\n"))
            + "</article></body></html>"
            for r in first()
        ]
        before, start = peak_mib(), time.perf_counter()
        for page in pages:
            trafilatura.extract(page)
        return {"seconds": time.perf_counter() - start, "peak": peak_mib(), "before": before}
    if mode in ("counts", "bytes"):
        import tracemalloc

        from pipeline.corpus.templates import count_pages

        def limited() -> object:
            for n, record in enumerate(iter_records(records)):
                if n == limit:
                    return
                yield record

        if mode == "bytes":
            tracemalloc.start()
        before, start = peak_mib(), time.perf_counter()
        counts = count_pages(limited())  # type: ignore[arg-type]
        seconds = time.perf_counter() - start
        state = tracemalloc.get_traced_memory()[0] if mode == "bytes" else 0
        entries = counts.entries()
        return {"seconds": seconds, "peak": peak_mib(), "before": before, "entries": entries, "bytes": state}
    from pipeline.corpus.dedup import read_all
    from pipeline.corpus.templates import learn_templates

    before, start = peak_mib(), time.perf_counter()
    learned = learn_templates(read_all([records]))
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak": peak_mib(), "before": before, "paragraphs": learned.paragraph_count}


def measure(mode: str, records: Path, limit: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--records", str(records), "--limit", str(limit)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    result: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
    return result


# The crawl tests' settings: no delays, every page well under the size cap but the two oversize ones.
CRAWL_SETTINGS = ("DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "DOWNLOAD_TIMEOUT=5")


def newsclean(*arguments: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", *arguments], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"bench/templates.py: newsclean {arguments[0]} failed:\n{done.stderr[-3000:]}")


def lines(text: object) -> list[str]:
    return [line.strip() for line in str(text or "").split("\n") if line.strip()]


def read_jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def holding(records: list[dict[str, object]], key: str) -> int:
    """How many records keep the paragraph of this key (the hex of `paragraph_key`)."""
    from pipeline.rules.text.templates import paragraph_key

    return sum(any(paragraph_key(line).hex() == key for line in lines(r["text"])) for r in records)


def site_run() -> int:
    """The fixture site crawled, its WARC cleaned without and with --site-templates (see the docstring)."""
    from tests.fixture_site import GOLD_DIR, FixtureSite

    with tempfile.TemporaryDirectory(prefix="newsclean-bench-") as name:
        folder = Path(name)
        warc = folder / "crawl.warc.gz"
        with FixtureSite() as site:
            settings = [part for setting in CRAWL_SETTINGS for part in ("-s", setting)]
            newsclean(
                *("crawl", "news", site.url, "-o", str(folder / "crawl.jsonl"), "--archive", str(warc), "-q"),
                *settings,
            )
        saved = folder / "site.templates"
        newsclean("clean", str(warc), "-o", str(folder / "plain.jsonl"), "-q")
        newsclean(
            *("clean", str(warc), "-o", str(folder / "site.jsonl"), "-q"),
            *("--site-templates", "--save-templates", str(saved)),
        )
        plain, learned = read_jsonl(folder / "plain.jsonl"), read_jsonl(folder / "site.jsonl")
        templates = read_jsonl(saved)[1:]
    print(f"{len(plain)} records of the fixture site's crawl ({len(learned)} with --site-templates)")
    print(f"{sum(len(t['paragraphs']) for t in templates)} template paragraphs learned")  # type: ignore[arg-type]
    spread = Counter(line for r in plain for line in set(lines(r["text"])))
    repeated = Counter(n for n in spread.values() if n > 1)
    shares = ", ".join(f"{count} in {n} records" for n, count in sorted(repeated.items())) or "none"
    print(f"paragraphs standing in more than one record without the option: {shares}\n")
    print("| template paragraph | support | records holding it, without | with --site-templates |")
    print("| --- | --- | --- | --- |")
    for site_templates in templates:
        for paragraph in site_templates["paragraphs"]:  # type: ignore[attr-defined]
            key = paragraph["key"]
            support = f"{paragraph['pages']}/{site_templates['pages']}"
            print(f"| {paragraph['text']} | {support} | {holding(plain, key)} | {holding(learned, key)} |")
    by_path = {
        name: ({str(r["url"]).split("/", 3)[3]: r for r in records})
        for name, records in (("plain", plain), ("site", learned))
    }
    print("\n| article (gold) | gold paragraphs | kept, without | kept, with --site-templates | lost |")
    print("| --- | --- | --- | --- | --- |")
    totals = [0, 0, 0, 0]
    for gold in sorted(GOLD_DIR.glob("*.gold.txt")):
        article = gold.name.removesuffix(".gold.txt")
        wanted = lines(gold.read_text(encoding="utf-8"))
        found = [
            next((r for path, r in by_path[run].items() if path.endswith(f"/{article}.html")), None)
            for run in ("plain", "site")
        ]
        kept = [set(lines(r["text"])) if r else set() for r in found]
        without, with_ = (sum(p in k for p in wanted) for k in kept)
        lost = sum(p in kept[0] and p not in kept[1] for p in wanted)
        for n, value in enumerate((len(wanted), without, with_, lost)):
            totals[n] += value
        print(f"| {article} | {len(wanted)} | {without} | {with_} | {lost} |")
    print(f"| all {len(list(GOLD_DIR.glob('*.gold.txt')))} | " + " | ".join(map(str, totals)) + " |")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--sites", type=int, default=50)
    parser.add_argument("--baseline", type=int, default=1000, help="pages plain trafilatura.extract reads")
    parser.add_argument("--full", action="store_true", help="also the whole learn step, copies pass included")
    parser.add_argument(
        "--site",
        action="store_true",
        help="crawl the fixture site on 127.0.0.1 and clean its WARC without and with --site-templates",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--records", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.records, args.limit)))
        return 0
    if args.site:
        return site_run()
    pool = real_paragraphs()
    with tempfile.TemporaryDirectory(prefix="newsclean-bench-") as folder:
        records = Path(folder) / "records.jsonl"
        write_records(records, args.pages, args.sites, pool)
        print(f"{args.pages:,} synthetic pages of {args.sites} sites from {len(pool)} real paragraphs")
        print("| run | pages | seconds | RSS before, peak (MiB) | entries | state (bytes) | bytes an entry |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        base = measure("trafilatura", records, args.baseline)
        rss = f"{base['before']:.0f}, {base['peak']:.0f}"
        print(f"| trafilatura.extract (baseline) | {args.baseline:,} | {base['seconds']:.1f} | {rss} | | | |")
        for pages in (args.pages // 10, args.pages):
            run = measure("counts", records, pages)
            size = measure("bytes", records, pages)
            each = size["bytes"] / max(1, size["entries"])
            rss = f"{run['before']:.0f}, {run['peak']:.0f}"
            print(
                f"| map and merge (count_pages) | {pages:,} | {run['seconds']:.1f} | {rss} | "
                f"{run['entries']:,.0f} | {size['bytes']:,.0f} | {each:.0f} |"
            )
        print(
            f"peak RSS of the map and merge at {args.pages:,} pages / trafilatura's at {args.baseline:,}: "
            f"{run['peak'] / base['peak']:.2f}x"
        )
        if args.full:
            full = measure("learn", records, args.pages)
            print(
                f"learn_templates (copies, counts, texts) at {args.pages:,} pages: {full['seconds']:.0f} s, "
                f"RSS {full['before']:.0f} MiB before, peak {full['peak']:.0f} MiB "
                f"({full['peak'] / base['peak']:.2f}x trafilatura's), "
                f"{full['paragraphs']:.0f} template paragraphs (made: {args.sites * (TEMPLATES_A_SITE + 1)})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
