"""Passes across documents: each reads many records and produces a frozen value (a duplicate index, a
site's template) that the per-document core or a writer consumes."""
