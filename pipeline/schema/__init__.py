"""The record's schemas: JSON Schema files (record, error line) and the Arrow schema and datasets Features."""
