"""Scrapy's JSON lines feed format written the way `clean` writes records: whole lines, flushed."""

from __future__ import annotations

from typing import Any

from scrapy.exporters import JsonLinesItemExporter

from pipeline.record import dumps


class RecordExporter(JsonLinesItemExporter):
    """Every key of the item in its order, nulls included, UTF-8 unescaped; flushed so that an
    interrupted crawl keeps every record already exported.
    """

    def export_item(self, item: Any) -> None:
        fields = dict(self.get_serialized_fields(item))
        self.file.write(dumps(fields).encode(self.encoding or "utf-8"))
        self.file.flush()
