"""The unit of work for a crawled page, run inline or in a worker process: `process_document`, then
the article rule for discovered pages. Top-level and free of Scrapy, so worker processes import little.
"""

from __future__ import annotations

from pipeline.article import not_article_reason
from pipeline.document import Document, DocumentError
from pipeline.process import Config, process_document
from pipeline.record import error_line, to_record
from pipeline.runners.local import Outcome


def clean_page(doc: Document, config: Config, articles_only: bool, listed_as_news: bool) -> Outcome:
    """A record for the page, or the error line saying why it gave none."""
    try:
        done = process_document(doc, config)
        if articles_only:
            words = sum(len(paragraph.split()) for paragraph in done.paragraphs)
            # A date equal to the sitemap's may be the sitemap's: only a different one is the page's own.
            own_date = done.metadata.date is not None and done.metadata.date != doc.date_hint
            reason = not_article_reason(done.html or "", words, listed_as_news, own_date)
            if reason:
                raise DocumentError("not-article", reason)
    except DocumentError as error:
        return Outcome(doc.source, error=error_line(doc.source, error))
    return Outcome(doc.source, record=to_record(done))
