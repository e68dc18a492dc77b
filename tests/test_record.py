"""The record's values normalised to the output contract: fetched_at in UTC to the second, status 100-599."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import jsonschema
import pytest

from pipeline.document import Document
from pipeline.process import Config, run_one
from pipeline.record import http_status, schema, utc_timestamp

from .test_cli import ARTICLE

EAST = timezone(timedelta(hours=2))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-11-28T10:15:00Z", "2024-11-28T10:15:00Z"),
        ("2024-11-05T12:00:00+02:00", "2024-11-05T10:00:00Z"),
        ("2024-11-05T01:00:00+02:00", "2024-11-04T23:00:00Z"),
        ("2024-12-31T23:30:00-01:00", "2025-01-01T00:30:00Z"),
        ("2024-11-05T12:00:00+0200", "2024-11-05T10:00:00Z"),
        ("2024-11-28T10:15:00.999Z", "2024-11-28T10:15:00Z"),
        ("2024-11-28T10:15:00.123456789Z", "2024-11-28T10:15:00Z"),
        ("2024-11-28T10:15Z", "2024-11-28T10:15:00Z"),
        ("2024-11-28T10:15:00", "2024-11-28T10:15:00Z"),
        ("2024-11-28 10:15:00", "2024-11-28T10:15:00Z"),
        ("2024-11-05", "2024-11-05T00:00:00Z"),
        ("20241128T101500Z", "2024-11-28T10:15:00Z"),
        ("20081128101500", "2008-11-28T10:15:00Z"),
        ("  2024-11-05T12:00:00Z\r\n", "2024-11-05T12:00:00Z"),
        ("0999-01-01", "0999-01-01T00:00:00Z"),
        ("2024", None),
        ("2024-11", None),
        ("2024-13-01", None),
        ("2024-11-05T24:00:00Z", None),
        ("20081399101500", None),
        ("0001-01-01T00:30:00+01:00", None),
        ("9999-12-31T23:30:00-01:00", None),
        ("Tue, 05 Nov 2024 12:00:00 GMT", None),
        ("", None),
        (None, None),
    ],
)
def test_utc_timestamp_gives_utc_to_the_second_or_none(value: str | None, expected: str | None) -> None:
    assert utc_timestamp(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            datetime(2024, 11, 5, 12, 0, 0, 999_999, tzinfo=timezone(timedelta(hours=2))),
            "2024-11-05T10:00:00Z",
        ),
        (datetime(2024, 11, 5, 12, 0, 0), "2024-11-05T12:00:00Z"),
        (datetime(2024, 11, 5, 12, 0, 0, tzinfo=UTC), "2024-11-05T12:00:00Z"),
    ],
    ids=["offset", "naive", "utc"],
)
def test_utc_timestamp_takes_a_datetime(value: datetime, expected: str) -> None:
    assert utc_timestamp(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (200, 200),
        (100, 100),
        (599, 599),
        ("404", 404),
        (b" 301 ", 301),
        (99, None),
        (600, None),
        (999, None),
        (10**20, None),
        (b"12345678901234567890", None),
        ("2OO", None),
        ("0200", None),
        ("\u0662\u0660\u0660", None),  # Arabic-Indic digits: isdigit() says yes, HTTP says no
        (True, None),
        (None, None),
    ],
)
def test_http_status_is_three_digits_from_100_to_599_or_none(
    value: int | str | bytes | None, expected: int | None
) -> None:
    assert http_status(value) == expected


def test_a_record_holds_fetched_at_and_status_as_the_schema_allows_whoever_made_the_document() -> None:
    page = Document(
        "https://news.example/a",
        "html",
        content=ARTICLE.format(n=1).encode(),
        url="https://news.example/a",
        fetched_at="2024-11-05T12:00:00+02:00",
        status=999,
    )
    record = run_one(page, Config()).record
    assert record is not None
    assert (record["fetched_at"], record["status"]) == ("2024-11-05T10:00:00Z", None)
    assert list(jsonschema.Draft202012Validator(schema("record")).iter_errors(record)) == []
