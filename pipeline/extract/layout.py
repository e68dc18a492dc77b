"""Tables that lay out a page come out as paragraphs, not as rows of cells.

Pages built before CSS layouts (and many still) lay out the page with tables: the menu in one cell, the
article in the next, a teaser column in the third. trafilatura writes each table row as one line, cells
joined by " | ", so a row's menu, article and teasers come out as one paragraph that no rule can take
apart. In the extracted body, a table one of whose cells holds several blocks or a long text is layout,
not data: its cells' blocks are put in its place, each its own paragraph. Which text is extracted does not
change, only where the lines break.
"""

from __future__ import annotations

from lxml.etree import Element, _Element

# Blocks of trafilatura's extracted body.
_BLOCKS = frozenset({"p", "head", "list", "quote", "table", "code"})
# A cell with this many words, or with this many blocks, is page layout, not a data value.
LONG_CELL_WORDS = 60
MANY_BLOCKS = 2


def _words(element: _Element) -> int:
    return len("".join(element.itertext()).split())


def _is_layout(table: _Element) -> bool:
    for cell in table.iter("cell"):
        if _words(cell) >= LONG_CELL_WORDS or sum(child.tag in _BLOCKS for child in cell) >= MANY_BLOCKS:
            return True
    return False


def _blocks_of(cell: _Element) -> list[_Element]:
    """A cell's content as blocks: its block children, and its loose text in paragraphs."""
    blocks: list[_Element] = []
    loose: _Element | None = None

    def paragraph(text: str | None) -> _Element:
        made = Element("p")
        made.text = text
        blocks.append(made)
        return made

    if cell.text and cell.text.strip():
        loose = paragraph(cell.text)
    for child in list(cell):
        if child.tag in _BLOCKS:
            tail, child.tail = child.tail, None
            blocks.append(child)
            loose = paragraph(tail) if tail and tail.strip() else None
        else:
            if loose is None:
                loose = paragraph(None)
            loose.append(child)  # its tail comes with it
    return blocks


def unwrap_layout_tables(body: _Element) -> int:
    """Replace every layout table of an extracted body by its cells' blocks; return the characters of
    text they held."""
    layout = [table for table in body.iter("table") if _is_layout(table)]
    chosen = set(layout)
    held = sum(
        len("".join(table.itertext()))
        for table in layout
        if not any(a in chosen for a in table.iterancestors())
    )
    for table in layout:
        parent = table.getparent()
        if parent is None:
            continue
        blocks = [block for cell in table.iter("cell") if _owner(cell) is table for block in _blocks_of(cell)]
        position = parent.index(table)
        tail = table.tail
        parent.remove(table)
        for offset, block in enumerate(blocks):
            parent.insert(position + offset, block)
        if tail and tail.strip():
            if blocks:
                blocks[-1].tail = tail
            else:
                parent.insert(position, _text_block(tail))
    return held


def _owner(cell: _Element) -> _Element | None:
    return next(cell.iterancestors("table"), None)


def _text_block(text: str) -> _Element:
    made = Element("p")
    made.text = text
    return made
