"""What the page model made of one document: each block's score, whether it was kept, and the features that
moved its score most. For `newsclean explain`; what the model leaves out is not a rule's removal, so it is
never in a record's `removed`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from pipeline.document import Document, DocumentError
from pipeline.model import BlockScore, ModelError, PageModel
from pipeline.model.features import PageReading


@dataclass
class _Explaining:
    """The model, doing its work as usual and keeping its account of the page."""

    model: PageModel
    top: int
    found: list[BlockScore] = field(default_factory=list)

    @property
    def readings(self) -> tuple[str, ...]:
        return self.model.readings

    def read(self, page: PageReading) -> Sequence[str]:
        self.found = self.model.explain(page, self.top)
        return self.model.read(page)


def explain_document(document: Document, config: object, top: int = 3) -> list[BlockScore]:
    """Each block of an HTML document as the configuration's page model scores it, in page order.

    ModelError when the configuration uses no page model; DocumentError when the document fails before
    the model reads it (it cannot be read, decoded or parsed).
    """
    from pipeline.process import Config, process_document

    if not isinstance(config, Config) or not isinstance(config.model, PageModel):
        raise ModelError("no page model is in use: give one (`--model MODEL`)")
    explaining = _Explaining(config.model, top)
    try:
        process_document(document, replace(config, model=explaining))
    except DocumentError:
        if not explaining.found:
            raise
    return explaining.found
