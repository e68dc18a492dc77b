"""Text rules: run on the extracted paragraphs (engine), built from shapes, one module a family."""
