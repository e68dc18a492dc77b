"""Crawl URLs: one canonical spelling per page, so that each page is requested once, and the site test."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# Query parameters that only say where a click came from; feeds and newsletters add them to links.
_TRACKING = re.compile(r"utm_[a-z_]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|ocid|cmpid|_ga|ref_src", re.I)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """The URL without fragment, tracking parameters or default port; query sorted, escapes normalised.

    ValueError for a URL that cannot be requested: unreadable (`http://[bad`, a port that is not a
    number) or without a host.
    """
    parts = urlsplit(url.strip())
    if parts.scheme.lower() in _DEFAULT_PORTS and not parts.hostname:
        raise ValueError(f"no host in {url!r}")
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = [(key, value) for key, value in pairs if not _TRACKING.fullmatch(key)]
    netloc = parts.netloc.lower()
    if parts.port is not None and _DEFAULT_PORTS.get(parts.scheme.lower()) == parts.port:
        netloc = netloc.rsplit(":", 1)[0]
    cleaned = urlunsplit((parts.scheme, netloc, parts.path or "/", urlencode(query), ""))
    return canonicalize_url(cleaned, keep_fragments=False)


def site_host(url: str) -> str:
    """The host a site URL names, lower case, without port and without a leading `www.`."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def on_site(url: str, host: str) -> bool:
    """Whether a URL is an http(s) URL of the site's host or one of its subdomains (any port)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return False
    found = site_host(url)
    return found == host or found.endswith("." + host)
