"""Crawl speed: `scrapy crawl news` over a generated site on 127.0.0.1, inline and with worker processes,
and two crawler processes sharing the crawl through a Redis frontier beside one process alone.

Usage: .venv/bin/python bench/crawl.py [--articles 240] [--workers 0,1,2] [--shared 0] [--rounds 3]

The site (home page, sections, a news sitemap, `--articles` article pages of about 60 KB with the
navigation, sidebars and residue of real news pages) is generated in memory and served by a
threaded HTTP server in this process; each crawl is a `scrapy crawl` subprocess with the delays
off. pages/s is the crawl's own figure (pages given to the item pipeline over the time it was
open), so process start-up is left out; the wall time includes it. The modes take turns for
`--rounds` rounds and each row shows its best and median round, so that a burst of other work on
the machine does not decide the comparison. Compare the modes as ratios: absolute speeds vary from
machine to machine and from run to run.

The shared mode (`--shared W`, W worker processes each; `--shared none` to leave it out) starts a
redis-server on 127.0.0.1 and two `scrapy crawl news` processes with
NEWSCLEAN_FRONTIER=redis://...; its pages/s is both processes' pages over the longer of their two
crawl times, and the row gives each process's page count. Beside it, the row of one process with
the same W is the baseline.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SECTIONS = ("world", "politics", "business", "science", "culture", "sport", "climate", "health")
# Sentences are drawn from these words: English enough for the language detector.
VOCABULARY = (
    "the council harbour minister said on Monday that the plan would cost more than expected while "
    "residents and workers in the port town asked for clear answers about the timetable of the works "
    "according to officials the new budget includes funds for schools roads bridges and hospitals but "
    "opposition leaders argued that the government had ignored warnings from engineers and scientists "
    "about rising sea levels storms and the state of the old quay walls built more than a century ago"
)
WORDS = tuple(VOCABULARY.split())
SUMMARY = re.compile(r"newsclean: (\d+) records; (\d+) pages without a record .*?; (\d+) pages in ([\d.]+) s")


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(14, 28))]
    return " ".join(words).capitalize() + "."


def chrome() -> tuple[str, str]:
    """A header with a long menu and a footer with link farms, as news sites have."""
    menu = "".join(f'<li><a href="/{s}/">{s.title()}</a></li>' for s in SECTIONS)
    topics = "".join(
        f'<li><a href="/topics/{w}-{i}">{w.title()} {i}</a></li>' for i, w in enumerate(WORDS[:60])
    )
    logo = '<a class="logo" href="/">Bench Gazette</a>'
    header = f'<header class="masthead">{logo}<nav><ul>{menu}</ul></nav></header>'
    footer = (
        f'<footer><ul class="topics">{topics}</ul><p>© 2024 Bench Gazette. All rights reserved.</p></footer>'
    )
    return header, footer


def article_page(index: int) -> str:
    rng = random.Random(index)
    header, footer = chrome()
    title = sentence(rng)[:70].rstrip(".")
    paragraphs = [
        " ".join(sentence(rng) for _ in range(rng.randint(2, 5))) for _ in range(rng.randint(8, 16))
    ]
    paragraphs.insert(3, "Advertisement")
    paragraphs.insert(6, f"Read more: {sentence(rng)}")
    paragraphs += ["Share this:", "Subscribe to get the latest posts sent to your email."]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    related = "".join(
        f'<li><a href="/topics/story-{rng.randint(0, 9999)}">{sentence(rng)}</a></li>' for _ in range(20)
    )
    script = (
        "<script>" + "var trackingConfig = {" + ",".join(f'"k{i}": {i}' for i in range(1500)) + "};</script>"
    )
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title} | Bench Gazette</title>"
        f"<meta property='og:type' content='article'><meta property='article:published_time' "
        f"content='2024-11-{index % 28 + 1:02d}T08:00:00Z'>{script}</head><body>{header}<main><article>"
        f"<h1>{title}</h1><p class='byline'>By Staff Reporter</p>{body}</article>"
        f"<aside class='related'><h3>Most read</h3><ul>{related}</ul></aside></main>{footer}</body></html>"
    )


def listing_page(items: str) -> bytes:
    head = "<head><meta property='og:type' content='website'></head>"
    return f"<html>{head}<body><ul>{items}</ul></body></html>".encode()


def build_site(articles: int) -> dict[str, tuple[str, bytes]]:
    """Path to (content type, body) for the whole site; {site} is filled in when served."""
    html = "text/html; charset=utf-8"
    pages: dict[str, tuple[str, bytes]] = {}
    paths = [f"/{SECTIONS[i % len(SECTIONS)]}/2024/story-{i}.html" for i in range(articles)]
    for i, path in enumerate(paths):
        pages[path] = (html, article_page(i).encode("utf-8"))
    links = "".join(f'<li><a href="/{s}/">{s.title()}</a></li>' for s in SECTIONS)
    pages["/"] = (html, listing_page(links))
    for section in SECTIONS:
        items = "".join(
            f'<li><a href="{p}">Story {p}</a></li>' for p in paths if p.startswith(f"/{section}/")
        )
        pages[f"/{section}/"] = (html, listing_page(items))
    urls = "".join(f"<url><loc>{{site}}{p}</loc><lastmod>2024-11-20</lastmod></url>" for p in paths)
    sitemap = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    pages["/sitemap.xml"] = ("application/xml", sitemap.encode())
    pages["/robots.txt"] = ("text/plain", b"User-agent: *\nAllow: /\nSitemap: {site}/sitemap.xml\n")
    return pages


class Site(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, pages: dict[str, tuple[str, bytes]]) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self.pages = {
            path: (kind, body.replace(b"{site}", self.url.encode())) for path, (kind, body) in pages.items()
        }


class Handler(BaseHTTPRequestHandler):
    server: Site
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        kind, body = self.server.pages.get(self.path, ("text/html", b"<html><body>Not found</body></html>"))
        self.send_response(200 if self.path in self.server.pages else 404)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def crawl_command(site: str, workers: int, output: Path, frontier: str | None = None) -> list[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"site={site}", "-O", str(output)]
    settings = {
        "NEWSCLEAN_WORKERS": workers,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS": 32,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
        "LOG_LEVEL": "INFO",
    }
    if frontier:
        settings["NEWSCLEAN_FRONTIER"] = frontier
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    return command


def summary(log: str) -> dict[str, float]:
    found = SUMMARY.search(log)
    if found is None:
        raise SystemExit(f"bench/crawl.py: the crawl failed:\n{log[-3000:]}")
    records, _failed, pages, seconds = (float(v) for v in found.groups())
    return {"records": records, "pages": pages, "seconds": seconds}


def crawl(site: str, workers: int, folder: Path) -> dict[str, float]:
    command = crawl_command(site, workers, folder / f"workers-{workers}.jsonl")
    started = time.monotonic()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    if done.returncode:
        raise SystemExit(f"bench/crawl.py: the crawl failed:\n{done.stderr[-3000:]}")
    return {**summary(done.stderr), "wall": wall}


def shared_crawl(site: str, workers: int, redis: str, folder: Path) -> dict[str, float]:
    """Two processes on one Redis frontier: pages of both over the longer crawl, and each one's pages."""
    started = time.monotonic()
    processes = [
        subprocess.Popen(
            crawl_command(site, workers, folder / f"shared-{n}.jsonl", redis),
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in (1, 2)
    ]
    logs = [process.communicate()[1] for process in processes]
    wall = time.monotonic() - started
    if any(process.returncode for process in processes):
        raise SystemExit(f"bench/crawl.py: a shared crawl failed:\n{logs[0][-2000:]}\n{logs[1][-2000:]}")
    one, two = (summary(log) for log in logs)
    return {
        "records": one["records"] + two["records"],
        "pages": one["pages"] + two["pages"],
        "seconds": max(one["seconds"], two["seconds"]),
        "wall": wall,
        "first": one["pages"],
        "second": two["pages"],
    }


class RedisServer:
    """A redis-server on a free port of 127.0.0.1 for the shared mode."""

    def __init__(self) -> None:
        server = shutil.which("redis-server")
        if server is None:
            raise SystemExit(
                "bench/crawl.py: the shared mode needs redis-server (apt-get install redis-server)"
            )
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = subprocess.Popen(
            [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("bench/crawl.py: redis-server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def mode_name(mode: str) -> str:
    if mode.startswith("shared"):
        workers = int(mode.split("-")[1])
        each = "inline" if workers == 0 else f"{workers} worker{'s' if workers > 1 else ''} each"
        return f"2 processes, Redis frontier ({each})"
    workers = int(mode)
    return "inline" if workers == 0 else f"{workers} worker{'s' if workers > 1 else ''}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=240, help="article pages in the site (default 240)")
    parser.add_argument("--workers", default="0,1,2", help="worker counts to run, 0 = inline (default 0,1,2)")
    parser.add_argument(
        "--shared", default="0", help="workers of each process in the shared mode, or none (default 0)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="runs of each mode, taking turns (default 3)")
    args = parser.parse_args(argv)
    modes = args.workers.split(",")
    redis = None
    if args.shared != "none":
        modes.append(f"shared-{int(args.shared)}")
        redis = RedisServer()
    site = Site(build_site(args.articles))
    threading.Thread(target=site.serve_forever, daemon=True).start()
    print(f"{args.articles} article pages at {site.url}, {args.rounds} rounds\n")
    runs: dict[str, list[dict[str, float]]] = {mode: [] for mode in modes}
    try:
        with tempfile.TemporaryDirectory() as folder:
            for _ in range(args.rounds):
                for mode in modes:
                    if mode.startswith("shared"):
                        assert redis is not None
                        result = shared_crawl(site.url, int(mode.split("-")[1]), redis.url, Path(folder))
                    else:
                        result = crawl(site.url, int(mode), Path(folder))
                    runs[mode].append(result)
    finally:
        site.shutdown()
        if redis is not None:
            redis.stop()
    columns = ("mode", "records", "pages/s, best", "pages/s, median", "crawl s, best", "wall s, best")
    print("| " + " | ".join([*columns, "pages per process"]) + " |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for mode, results in runs.items():
        rates = sorted(r["pages"] / r["seconds"] for r in results)
        best = min(results, key=lambda r: r["seconds"])
        split = (
            "; ".join(f"{r['first']:.0f} + {r['second']:.0f}" for r in results) if "first" in best else "all"
        )
        print(
            f"| {mode_name(mode)} | {best['records']:.0f} | {rates[-1]:.1f} | {statistics.median(rates):.1f} "
            f"| {best['seconds']:.1f} | {min(r['wall'] for r in results):.1f} | {split} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
