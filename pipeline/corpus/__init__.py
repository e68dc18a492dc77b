"""Passes across documents: each reads many records and produces a frozen value (a duplicate index, a
site's template) that the per-document core or a writer consumes."""

# A copy's shorter text must have this share of its word 5-grams in the longer one: chosen by
# bench/dedup.py (README, "Near-duplicates"). Here, so that the command line can name it without importing
# the pass and its libraries.
DEFAULT_THRESHOLD = 0.55
