"""The per-document function and the one door into it.

`process_document` reads, decodes, extracts or splits, cleans, identifies the language and, for runs
that keep articles only, judges the page; `run_one` turns its result or its DocumentError into an
Outcome. Every runner (the local loop, the process pool, the Scrapy item pipeline) calls `run_one`.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.article import not_article_reason
from pipeline.decode import decode_html, decode_text
from pipeline.document import Document, DocumentError, Outcome, Removal, strict
from pipeline.extract import EXTRACTOR, LOGGERS, ExtractOptions, Reader, extract_html
from pipeline.language import detect_language, load_profiles, wanted_language
from pipeline.model import default_model, load_model
from pipeline.readers.own import is_report
from pipeline.record import http_status, to_record
from pipeline.rules import PAGE_RULES, TEXT_RULES, PageRule, Rule, select
from pipeline.rules.text.engine import apply_rules
from pipeline.rules.text.templates import SITE_TEMPLATE, SiteTemplates, site_of
from pipeline.rules.text.timestamps import parse_date
from pipeline.text import count_words, without_code

# Inputs larger than this (after decompression) are refused by default.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# Seconds one document may take before it is an `extract` error (a pathological page must not stop a run).
DEFAULT_TIMEOUT = 60.0
# Tags ("<" characters) a page may hold before it is parsed: the parsed tree costs about 1 KB a tag, so
# this bounds a document's memory (about 200 MB) and time. The largest of 1,037 real news pages in the
# shared benchmarks holds 8,093.
DEFAULT_MAX_TAGS = 200_000


@dataclass(frozen=True)
class Config:
    """What a run asks of the pipeline; built by the CLI or by Scrapy's from_crawler.

    A frozen value that pickles: the runners hand it to their worker processes once.
    """

    # Names of rules turned off (page and text rules alike).
    disabled_rules: frozenset[str] = frozenset()
    # Removal families turned off (pipeline.rules.families ids): every page and text rule of each.
    disabled_families: frozenset[str] = frozenset()
    # Keep only records in these languages (ISO 639-1; "zh" keeps zh-cn and zh-tw); None keeps every record.
    languages: frozenset[str] | None = None
    # Keep only pages that are articles by pipeline.article's rule (the news crawl, `clean --articles-only`).
    articles_only: bool = False
    # The HTTP status classes a crawled or archived page may have (2 for 2xx); a page of another is an
    # `http` error line. None keeps every status. Local files have no status and always pass.
    statuses: frozenset[int] | None = frozenset({2})
    # Records of fewer words than this are `filtered` (`--min-words`).
    min_words: int = 0
    # Inputs larger than this, after decompression, are a read error.
    max_bytes: int = DEFAULT_MAX_BYTES
    # Seconds one document may take (None: no limit), and tags one page may hold.
    timeout: float | None = DEFAULT_TIMEOUT
    max_tags: int = DEFAULT_MAX_TAGS
    extract: ExtractOptions = field(default_factory=ExtractOptions)
    # The rules to run, in order; the registry's unless a caller brings its own.
    page_rules: tuple[PageRule, ...] = PAGE_RULES
    text_rules: tuple[Rule, ...] = TEXT_RULES
    # What `clean --site-templates` learned in its first pass (pipeline.corpus.templates); None: no template
    # rule runs.
    site_templates: SiteTemplates | None = None
    # The page model that decides which blocks of a page are its text (pipeline.model): a model file's
    # path or a loaded model; None keeps newsclean's own reading. Default: the shipped model when it is
    # used by default (pipeline.model.SHIPPED_BY_DEFAULT), else None. A path is loaded once per process.
    model: Reader | Path | str | None = field(default_factory=default_model)
    _selected: tuple[tuple[PageRule, ...], tuple[Rule, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Unknown names fail here, where the config is built.
        selected = select(self.disabled_rules, self.page_rules, self.text_rules, self.disabled_families)
        object.__setattr__(self, "_selected", selected)
        if isinstance(self.model, str | Path):
            object.__setattr__(self, "model", load_model(self.model))  # ModelError when it cannot be used

    @property
    def active_page_rules(self) -> tuple[PageRule, ...]:
        """The page rules that run: `page_rules` without the disabled ones."""
        return self._selected[0]

    @property
    def active_text_rules(self) -> tuple[Rule, ...]:
        """The text rules that run: `text_rules` without the disabled ones."""
        return self._selected[1]


def warm_up() -> None:
    """Ready this process for many documents; runners call it once, in each worker's initializer.

    trafilatura and htmldate log every odd page at WARNING and ERROR, and newsclean records its own
    errors, so their loggers are quieted; langdetect's profiles are loaded; and everything loaded so
    far is frozen out of the garbage collector's reach (left to it, every full collection walks the
    profiles' 90,000 objects: 80 ms each). Nothing of this happens on import or on a first call.
    """
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    load_profiles()
    gc.freeze()


def run_one(doc: Document, config: Config) -> Outcome:
    """A record for the document, or the error line saying why it gave none (taking longer than
    `config.timeout` is an `extract` error)."""
    try:
        with time_limit(config.timeout):
            done = process_document(doc, config)
    except DocumentError as error:
        return Outcome(doc.source, error={"source": doc.source, "stage": error.stage, "error": error.message})
    except OverTime:
        return run_one(doc.failed("extract", over_time(config.timeout)), config)
    return Outcome(doc.source, record=to_record(done))


def over_time(seconds: float | None) -> str:
    """The error message of a document that took longer than the time limit."""
    return f"took longer than {seconds or 0:g} s (the --timeout limit)"


class OverTime(BaseException):
    """Raised inside a document's processing when its time is up; a BaseException so that no
    library's `except Exception` swallows it."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise OverTime in this thread once `seconds` have passed inside the block (at the next Python
    instruction: a C call in progress finishes first). SIGALRM in a main thread; in any other thread
    (a Dask worker's) an asynchronous exception set by a timer thread."""
    if not seconds:
        yield
    elif threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    else:
        with _thread_limit(seconds):
            yield


def _on_alarm(signum: int, frame: object) -> None:
    raise OverTime


@contextmanager
def _thread_limit(seconds: float) -> Iterator[None]:
    thread = ctypes.c_ulong(threading.get_ident())
    lock = threading.Lock()
    done = False

    def fire() -> None:
        with lock:
            if not done:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(thread, ctypes.py_object(OverTime))

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            done = True
        timer.cancel()
        # A limit that fired as the block ended must not be raised later, elsewhere.
        ctypes.pythonapi.PyThreadState_SetAsyncExc(thread, None)


def process_document(doc: Document, config: Config) -> Document:
    """Run one document through every stage; raise DocumentError when it yields no record."""
    status = http_status(doc.status)  # None for a value that is no HTTP status: the record's is null too
    if status is not None and config.statuses is not None and status // 100 not in config.statuses:
        wanted = ", ".join(f"{n}xx" for n in sorted(config.statuses))
        raise DocumentError("http", f"HTTP {status}, not {wanted} (--status)")
    doc = _stage("read", _read, doc, config)
    if not (doc.content or b"").strip():
        raise DocumentError("empty", "the input is empty")
    doc = _stage("decode", _decode, doc, config)
    doc = _stage("extract", _extract, doc, config)
    if not doc.paragraphs:
        raise DocumentError("empty", "no article text found")
    doc = _stage("clean", _clean, doc, config)
    if not doc.paragraphs:
        raise DocumentError("empty", "no article text left after cleaning")
    doc = _stage("clean", _identify_language, doc, config)
    if config.languages is not None and not wanted_language(doc.language, config.languages):
        wanted = ",".join(sorted(config.languages))
        raise DocumentError("filtered", f"language {doc.language or 'unknown'} is not in --lang {wanted}")
    if config.min_words and (words := count_words("\n".join(doc.paragraphs))) < config.min_words:
        raise DocumentError("filtered", f"{words} words, fewer than --min-words {config.min_words}")
    if config.articles_only:
        _judge_article(doc)
    return doc


Step = Callable[[Document, "Config"], Document]


def _stage(name: str, step: Step, doc: Document, config: Config) -> Document:
    """Run a step, turning an unexpected exception into a DocumentError of that stage."""
    try:
        result = step(doc, config)
    except DocumentError:
        raise
    except Exception as error:  # a library failing on one page must not stop the run
        if strict() and raised_by_project(error):
            raise
        raise DocumentError(name, f"{type(error).__name__}: {error}") from error
    return result


_PROJECT = (str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1] / "spiders"))


def raised_by_project(error: BaseException) -> bool:
    """Whether the innermost Python frame of the error's traceback is newsclean's own code (a bug of the
    project) rather than a library's (a page a library could not read)."""
    trace = error.__traceback__
    if trace is None:
        return False
    while trace.tb_next is not None:
        trace = trace.tb_next
    return str(Path(trace.tb_frame.f_code.co_filename).resolve()).startswith(_PROJECT)


def _read(doc: Document, config: Config) -> Document:
    if doc.content is not None:
        return doc
    if doc.origin is None:
        raise DocumentError("read", "the document has neither content nor an origin to read it from")
    return replace(doc, content=doc.origin.load(config.max_bytes))


def _decode(doc: Document, config: Config) -> Document:
    content = doc.content or b""
    if doc.kind == "html":
        if is_report(content[:1024]):  # whatever its name: newsclean's own output is never a page
            raise DocumentError("skipped", "a page `newsclean report` wrote, not an input page")
        return replace(doc, html=decode_html(content, doc.content_type))
    text = without_code(decode_text(content))
    return replace(doc, paragraphs=tuple(line for line in text.splitlines() if line.strip()))


def _extract(doc: Document, config: Config) -> Document:
    if doc.kind != "html" or doc.html is None:
        return doc
    tags = doc.html.count("<")  # an upper bound on the elements, counted before anything is parsed
    if tags > config.max_tags:
        raise DocumentError("extract", f"too many tags to parse: {tags} (the limit is {config.max_tags})")
    model = config.model if not isinstance(config.model, str | Path) else load_model(config.model)
    extraction = extract_html(
        doc.html,
        doc.url,
        config.extract,
        config.active_page_rules,
        read_signals=config.articles_only,
        model=model,
    )
    return replace(
        doc,
        paragraphs=extraction.paragraphs,
        metadata=extraction.metadata,
        removed=extraction.removed + doc.removed,  # cuts made before extraction come first
        extractor=EXTRACTOR,
        signals=extraction.signals,
    )


def _clean(doc: Document, config: Config) -> Document:
    kept, removed = apply_rules(doc.paragraphs, _text_rules(doc, config))
    metadata = doc.metadata
    if metadata.date is None:
        metadata = replace(metadata, date=_removed_date(removed) or doc.date_hint)
    return replace(doc, paragraphs=kept, removed=doc.removed + removed, metadata=metadata)


def _text_rules(doc: Document, config: Config) -> tuple[Rule, ...]:
    """The active text rules, then the site's template rule when the config carries one for its site."""
    rules = config.active_text_rules
    if (
        config.site_templates is None
        or SITE_TEMPLATE.name in config.disabled_rules
        or SITE_TEMPLATE.family in config.disabled_families
    ):
        return rules
    learned = config.site_templates.rule_for(site_of(doc.url or doc.metadata.url, doc.metadata.sitename))
    return rules if learned is None else (*rules, learned)


def _removed_date(removed: tuple[Removal, ...]) -> str | None:
    for removal in removed:
        if removal.family == "timestamp":
            found = parse_date(removal.text)
            if found:
                return found
    return None


def _identify_language(doc: Document, config: Config) -> Document:
    language, score = detect_language("\n".join(doc.paragraphs), doc.metadata.declared_language)
    return replace(doc, language=language, language_score=score)


def _judge_article(doc: Document) -> None:
    words = sum(count_words(paragraph) for paragraph in doc.paragraphs)
    # A date equal to the sitemap's may be the sitemap's: only a different one is the page's own.
    own_date = doc.metadata.date is not None and doc.metadata.date != doc.date_hint
    reason = not_article_reason(doc.signals, words, doc.listed_as_news, own_date)
    if reason:
        raise DocumentError("not-article", reason)
