"""A second extractor for pages laid out with tables: readability-lxml's reading of the page.

trafilatura weighs the blocks of a page one by one, which serves pages built of paragraphs; on a page
whose menu, article and teasers sit side by side in the cells of layout tables, readability's scoring of
whole candidate containers (by their commas, their length, their class names) finds the article more
often. Its summary is read back as one line a block.
"""

from __future__ import annotations

import logging

from lxml.html import fragment_fromstring
from readability import Document as Readable

from pipeline.rules.page.markup import lines_of

# readability logs every page it gives up on; the page then gets trafilatura's text.
LOGGER = "readability"


def readability_lines(html: str) -> list[str]:
    """The lines of readability-lxml's summary of the page, or [] when it finds nothing."""
    try:
        summary = Readable(html).summary(html_partial=True)
        return lines_of(fragment_fromstring(summary, create_parent="div"))
    except Exception:  # readability gives up on some pages; their own extraction stands
        logging.getLogger(LOGGER).debug("readability found no article", exc_info=True)
        return []
