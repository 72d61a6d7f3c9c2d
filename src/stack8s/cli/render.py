"""Markdown for a terminal: rich's renderer, with tables that never cut a name.

rich's Markdown tables shrink columns to the terminal and cut what does not fit with an ellipsis
("g6e.12xla…"). Here a table is drawn as a table only when every column can hold its longest word
(an instance type, a model id) whole; the words of a cell may then wrap onto more lines, never break.
A table too wide for that is drawn as one paragraph per row ("1. provider aws · instance g6e.12xlarge
· ..."), which wraps between fields.
"""

from __future__ import annotations

from typing import ClassVar

from rich import box
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import Markdown, MarkdownElement, TableElement
from rich.measure import Measurement
from rich.table import Column, Table
from rich.text import Text

SEPARATOR = " · "
UNBOUNDED = 100_000


class WrappingTable(TableElement):
    """A Markdown table as a table when whole words fit, else as one paragraph per row."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        headers = [c.content for c in self.header.row.cells] if self.header and self.header.row else []
        rows = [[c.content for c in row.cells] for row in self.body.rows] if self.body else []
        table = _table(headers, rows)
        if fit_columns(console, options, table):
            yield table
            return
        yield from _records(headers, rows)


def _content_range(console: Console, options: ConsoleOptions, column: Column) -> tuple[int, int]:
    """(longest word, longest line) over the column's header and cells."""
    found = [Measurement.get(console, options, cell) for cell in (column.header, *column.cells)]
    return max(m.minimum for m in found), max(m.maximum for m in found)


def fit_columns(console: Console, options: ConsoleOptions, table: Table) -> bool:
    """Fix each column's width at no less than its longest word, sharing what is left by need; False when
    the longest words alone do not fit (rich itself would shrink the widest column past its words)."""
    wide = options.update_width(UNBOUNDED)
    ranges = [_content_range(console, wide, column) for column in table.columns]
    least = sum(low for low, _ in ranges)
    room = options.max_width - (Measurement.get(console, wide, table).minimum - least)
    if least > room:
        return False
    spare, wants = room - least, [high - low for low, high in ranges]
    for column, (low, _), want in zip(table.columns, ranges, wants, strict=True):
        column.width = low + (want if sum(wants) <= spare else spare * want // sum(wants))
    return True


def _table(headers: list[Text], rows: list[list[Text]]) -> Table:
    table = Table(box=box.SIMPLE, pad_edge=False, style="markdown.table.border", show_edge=True, collapse_padding=True)
    for heading in headers:
        styled = heading.copy()
        styled.stylize("markdown.table.header")
        table.add_column(styled, overflow="fold")
    for row in rows:
        table.add_row(*row)
    return table


def _records(headers: list[Text], rows: list[list[Text]]) -> RenderResult:
    """Row 1 as "1. header value · header value ...", the first column as the row's label."""
    for index, row in enumerate(rows, start=1):
        line = Text()
        fields = list(zip(headers, row, strict=False))
        if fields and fields[0][0].plain.strip() in ("#", ""):
            label, fields = fields[0][1].plain.strip() or str(index), fields[1:]
        else:
            label = str(index)
        line.append(f"{label}. ", style="bold")
        for position, (heading, cell) in enumerate(fields):
            if position:
                line.append(SEPARATOR, style="dim")
            line.append(heading.plain.strip(), style="markdown.table.header")
            line.append(" ")
            line.append_text(cell)
        yield line
    yield Text()


class TerminalMarkdown(Markdown):
    """rich's Markdown with `WrappingTable` for tables."""

    elements: ClassVar[dict[str, type[MarkdownElement]]] = {**Markdown.elements, "table_open": WrappingTable}


def print_markdown(console: Console, markdown: str) -> None:
    console.print(TerminalMarkdown(markdown))
