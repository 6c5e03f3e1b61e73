"""A PDF page's form XObjects drawn in place, so their text is judged like the page's own.

A form XObject is a content stream of its own that a page draws with `Do`; its text would
otherwise reach pypdf's extraction unjudged. Each `Do` of a form becomes `q`, the form's
matrix (`cm`), its bounding box as a clip (`re W n`), the form's own operations (forms inside
it too, up to MAX_FORM_DEPTH) and `Q`; the fonts it names are renamed into the page's font
resources, so the inlined stream extracts with the right fonts; its graphics states are renamed
the same way, and their fill opacity (`/ca`) kept for the walker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ContentStream, DictionaryObject, FloatObject, NameObject

MAX_FORM_DEPTH = 8  # forms drawn inside forms: deeper nesting is not inlined


@dataclass
class Inlined:
    """A page's operations with its form XObjects drawn in place, and the resources they need."""

    operations: list[Any] = field(default_factory=list)
    fonts: DictionaryObject = field(default_factory=DictionaryObject)
    states: DictionaryObject = field(default_factory=DictionaryObject)
    opacity: dict[str, float] = field(default_factory=dict)  # graphics state name -> fill alpha
    forms: int = 0


def _form(resources: Any, name: Any) -> Any:
    xobjects = resources.get("/XObject") if resources is not None else None
    form = xobjects.get(name) if xobjects is not None else None
    form = form.get_object() if form is not None else None
    return form if form is not None and form.get("/Subtype") == "/Form" else None


def inline_forms(reader: PdfReader, operations: list[Any], resources: Any, out: Inlined,
            depth: int = 0) -> None:  # fmt: skip
    """Append the operations to `out`, each form XObject's content in place of its `Do`."""
    fonts = resources.get("/Font") if resources is not None else None
    states = resources.get("/ExtGState") if resources is not None else None
    prefix = f"/gr{out.forms}_" if depth else "/"
    rename: dict[str, NameObject] = {}
    for key, font in fonts.get_object().items() if fonts is not None else ():
        rename[key] = NameObject(prefix + key.lstrip("/"))
        out.fonts[rename[key]] = font
    for key, state in states.get_object().items() if states is not None else ():
        rename[key] = NameObject(prefix + key.lstrip("/"))
        out.states[rename[key]] = state
        alpha = state.get_object().get("/ca", 1)
        out.opacity[rename[key]] = float(alpha) if isinstance(alpha, (int, float)) else 1.0
    for operands, operator in operations:
        form = _form(resources, operands[0]) if operator == b"Do" and operands else None
        if form is not None and depth < MAX_FORM_DEPTH:
            out.forms += 1
            matrix = list(form.get("/Matrix", [1, 0, 0, 1, 0, 0]))
            box = [float(v) for v in form.get("/BBox", [0, 0, 0, 0])]
            out.operations += [([], b"q"), ([FloatObject(v) for v in matrix], b"cm")]
            if len(box) == 4:
                rect = [box[0], box[1], box[2] - box[0], box[3] - box[1]]
                out.operations += [([FloatObject(v) for v in rect], b"re"), ([], b"W"),
                                   ([], b"n")]  # fmt: skip
            inner = ContentStream(form, reader).operations
            inline_forms(reader, inner, form.get("/Resources") or resources, out, depth + 1)
            out.operations.append(([], b"Q"))
            continue
        if operator in (b"Tf", b"gs") and operands and str(operands[0]) in rename:
            operands = [rename[str(operands[0])], *operands[1:]]
        out.operations.append((operands, operator))
