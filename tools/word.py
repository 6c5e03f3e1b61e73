"""A Word document's text as a reader sees it: hidden, faint, tiny and squeezed runs kept apart.

Each run's effective formatting (the run's own, then its character style, then its
paragraph's style, each with the styles they are based on, then the document defaults) gives
how it is drawn: `w:vanish` / `w:specVanish`, its size (`w:sz`), its horizontal scale (`w:w`,
a percentage), its colour (`w:color`, a theme's white included) and the colour beneath it (the
run's highlight or shading, else its paragraph's or table cell's shading, else the page's
background). `guard.why_hidden` decides from that, as for every format (a 4 pt run, a 12 pt run
at 1 % width, white on white or yellow on white are not seen). Hidden text is left out of the
visible line and kept as `HiddenText`. The core properties that hold text (title, subject,
keywords, comments, category, status) are metadata: hidden too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from docx.oxml.ns import qn
from docx.styles import BabelFish
from docx.text.hyperlink import Hyperlink
from docx.text.run import Run

from guard import Appearance, HiddenKind, HiddenText, why_hidden
from tools.sections import Heading

if TYPE_CHECKING:
    from docx.document import Document as WordDocument
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    from tools.ceilings import Deadline

DEFAULT_HALF_POINTS = 20  # Word's size when no style sets one
_OFF = ("0", "false", "off")
_WHITE_THEMES = ("background1", "light1")
Colour = tuple[float, float, float]
METADATA_FIELDS = ("title", "subject", "keywords", "comments", "category", "content_status")
_MAX_STYLE_DEPTH = 20  # basedOn chains are short; a cycle must not loop for ever


@dataclass
class WordText:
    """The visible lines of a Word document, its headings, paragraph numbers and hidden text."""

    lines: list[str] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    units: list[int] = field(default_factory=list)
    hidden: list[HiddenText] = field(default_factory=list)


def _rgb(value: str | None) -> Colour | None:
    """An RRGGBB colour, or a highlight's colour name (`yellow`, `darkBlue`), as RGB."""
    if not value or value.lower() in ("auto", "none"):
        return None
    if len(value) == 6:
        try:
            return tuple(int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]
        except ValueError:
            pass
    import tinycss2.color3

    parsed = tinycss2.color3.parse_color(value.lower())
    if parsed is None or isinstance(parsed, str):
        return (0.5, 0.5, 0.0) if value.lower() == "darkyellow" else None
    return parsed.red, parsed.green, parsed.blue


class _Formatting:
    """Resolves a run's effective formatting through styles and document defaults."""

    def __init__(self, document: WordDocument) -> None:
        root = document.styles.element
        self.styles = {s.get(qn("w:styleId")): s for s in root.findall(qn("w:style"))}
        self.default_paragraph = next(
            (sid for sid, s in self.styles.items()
             if s.get(qn("w:type")) == "paragraph" and s.get(qn("w:default")) in ("1", "true")),
            None,
        )  # fmt: skip
        defaults = root.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
        self.defaults = [defaults] if defaults is not None else []
        self.names = {
            sid: BabelFish.internal2ui(name.get(qn("w:val")) or "")
            if (name := s.find(qn("w:name"))) is not None
            else ""
            for sid, s in self.styles.items()
        }
        background = document.element.find(qn("w:background"))
        self.page = _rgb(background.get(qn("w:color"))) if background is not None else None

    def _chain(self, style_id: str | None) -> list[Any]:
        found: list[Any] = []
        for _ in range(_MAX_STYLE_DEPTH):
            style = self.styles.get(style_id) if style_id else None
            if style is None:
                break
            rpr = style.find(qn("w:rPr"))
            if rpr is not None:
                found.append(rpr)
            based = style.find(qn("w:basedOn"))
            style_id = based.get(qn("w:val")) if based is not None else None
        return found

    def why_hidden(self, run: Any, paragraph: Any, beneath: Colour | None) -> HiddenKind | None:
        """Why a run (`w:r`) in a paragraph (`w:p`) is hidden, or None when it shows;
        `beneath` is the paragraph's or cell's shading."""
        rstyle = run.find(f"{qn('w:rPr')}/{qn('w:rStyle')}")
        pstyle = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        layers = [
            *[x for x in [run.find(qn("w:rPr"))] if x is not None],
            *self._chain(rstyle.get(qn("w:val")) if rstyle is not None else None),
            *self._chain(pstyle.get(qn("w:val")) if pstyle is not None else self.default_paragraph),
            *self.defaults,
        ]

        def first(tag: str) -> Any:
            return next((el for layer in layers if (el := layer.find(qn(tag))) is not None), None)

        for tag in ("w:vanish", "w:specVanish"):
            flag = first(tag)
            if flag is not None and flag.get(qn("w:val"), "1").lower() not in _OFF:
                return "hidden run"
        return why_hidden(self._look(first, self._marked(run) or beneath or self.page))

    @staticmethod
    def _look(first: Any, beneath: Colour | None) -> Appearance:
        size, scale, colour = first("w:sz"), first("w:w"), first("w:color")
        half_points = size.get(qn("w:val")) if size is not None else None
        points = int(half_points) if (half_points or "").isdigit() else DEFAULT_HALF_POINTS
        percent = (scale.get(qn("w:val")) or "100").rstrip("%") if scale is not None else "100"
        rgb = None
        if colour is not None:
            white = colour.get(qn("w:themeColor")) in _WHITE_THEMES
            rgb = (1.0, 1.0, 1.0) if white else _rgb(colour.get(qn("w:val")))
        return Appearance(
            points=points / 2,
            width_scale=int(percent) / 100 if percent.isdigit() else 1.0,
            colour=rgb,
            background=beneath,
        )

    @staticmethod
    def _marked(run: Any) -> Colour | None:
        """The colour of a highlight or shading on the run itself."""
        rpr = run.find(qn("w:rPr"))
        if rpr is None:
            return None
        highlight = rpr.find(qn("w:highlight"))
        shading = rpr.find(qn("w:shd"))
        if highlight is not None and (colour := _rgb(highlight.get(qn("w:val")))) is not None:
            return colour
        return _shaded(shading) if shading is not None else None


def _shaded(shd: Any) -> Colour | None:
    """The colour a `w:shd` element paints (None: none, or automatic)."""
    return _rgb(shd.get(qn("w:fill")))


def _runs(paragraph: Paragraph) -> Iterator[Run]:
    for item in paragraph.iter_inner_content():
        if isinstance(item, Hyperlink):
            yield from item.runs
        else:
            yield item


def _paragraph_text(
    paragraph: Paragraph, formatting: _Formatting, shaded: Colour | None
) -> tuple[str, list[tuple[int, HiddenKind, str]]]:
    """The paragraph's visible text and its hidden pieces (offset in the visible text, why)."""
    p = paragraph._p
    shd = p.find(f"{qn('w:pPr')}/{qn('w:shd')}")
    shaded = (_shaded(shd) if shd is not None else None) or shaded
    visible: list[str] = []
    hidden: list[tuple[int, HiddenKind, str]] = []
    at = 0
    for run in _runs(paragraph):
        text = run.text
        if not text:
            continue
        why = formatting.why_hidden(run._r, p, shaded)
        if why is None:
            visible.append(text)
            at += len(text)
        elif hidden and hidden[-1][0] == at and hidden[-1][1] == why:
            hidden[-1] = (at, why, hidden[-1][2] + text)
        else:
            hidden.append((at, why, text))
    return "".join(visible), hidden


def _heading_level(style: str) -> int:
    """Heading level of a DOCX paragraph style name (0 when it is not a heading)."""
    if style == "Title":
        return 1
    if not style.startswith("Heading"):
        return 0
    number = style.removeprefix("Heading").strip()
    return int(number) if number.isdigit() else 1


class _Builder:
    """Collects lines, paragraph numbers and hidden text block by block."""

    def __init__(self, formatting: _Formatting) -> None:
        self.formatting = formatting
        self.out = WordText()
        self.paragraphs = 0

    def add(self, text: str, hidden: list[tuple[int, HiddenKind, str]]) -> None:
        first = len(self.out.lines)
        if text.strip():
            self.paragraphs += 1
        pieces = text.replace("\r", "").split("\n")
        self.out.lines.extend(pieces)
        self.out.units.extend([max(self.paragraphs, 1)] * len(pieces))
        for offset, why, secret in hidden:
            line = first + text.count("\n", 0, offset) + 1
            self.out.hidden.append(HiddenText(line_start=line, line_end=line, text=secret, why=why))

    def paragraph(self, paragraph: Paragraph) -> None:
        text, hidden = _paragraph_text(paragraph, self.formatting, shaded=None)
        # Paragraph.style looks the default style up among all styles on every call (quadratic
        # on a long document): style ids resolve to names once, in _Formatting.
        style_id = paragraph._p.style or self.formatting.default_paragraph
        style = self.formatting.names.get(style_id, "") if style_id else ""
        level = _heading_level(style or "")
        if level and text.strip():
            self.out.headings.append((len(self.out.lines), level, text.strip()))
        self.add(text, hidden)

    def table(self, table: Table) -> None:
        """One line per table row: its distinct cells' visible text joined with ' | '."""
        for row in table.rows:
            cells: list[str] = []
            hidden: list[tuple[int, HiddenKind, str]] = []
            last = None
            for cell in row.cells:
                if cell._tc is last:  # merged cells repeat the same underlying cell
                    continue
                last = cell._tc
                shd = cell._tc.find(f"{qn('w:tcPr')}/{qn('w:shd')}")
                shaded = _shaded(shd) if shd is not None else None
                parts = [_paragraph_text(p, self.formatting, shaded) for p in cell.paragraphs]
                hidden.extend((0, why, secret) for _, pieces in parts for _, why, secret in pieces)
                cells.append(" ".join(" ".join(text for text, _ in parts).split()))
            if any(cells):
                self.add(" | ".join(cells), hidden)
            elif hidden:  # a row with nothing visible: shown as a line, it would be blank
                self.add("", hidden)


def word_text(
    document: WordDocument, blocks: list[Any], deadline: Deadline | None = None
) -> WordText:
    """The document's body blocks (paragraphs and tables) as visible lines and hidden text;
    `deadline` is checked every thousand blocks."""
    from docx.table import Table

    builder = _Builder(_Formatting(document))
    for number, block in enumerate(blocks):
        if deadline is not None and number % 1000 == 0:
            deadline.check("reading the DOCX")
        if isinstance(block, Table):
            builder.table(block)
        else:
            builder.paragraph(block)
    properties = document.core_properties
    for name in METADATA_FIELDS:
        value = getattr(properties, name, None)
        if isinstance(value, str) and value.strip():
            builder.out.hidden.append(
                HiddenText(line_start=0, line_end=0, text=value.strip(), why="metadata",
                           detail=name.replace("_", " "))
            )  # fmt: skip
    return builder.out
