"""How an HTML element draws its text, from its tag, attributes and inline style.

For any reader that meets HTML (raw HTML in Markdown, an HTML or wiki export): `element_look`
gives an element's `Appearance` from its parent's, so `guard.visibility.why_hidden` decides
whether its text shows. The style is parsed with tinycss2 (the CSS tokenizer and colour parser
of the WeasyPrint project), not matched by pattern. Hidden: elements a browser does not render
(`template`, `script`, `style`, `head`, ...), the `hidden` attribute, `display: none`,
`visibility: hidden`, an opacity under 0.1, a font or a scale too small to read, a colour that
does not stand out from its background, a clip or a box of at most a pixel that cuts the text
away (the screen-reader-only idiom), and text moved far off the page.
"""

from __future__ import annotations

import re
from dataclasses import replace

import tinycss2
import tinycss2.color3

from guard.visibility import Appearance, Colour, HiddenKind

NOT_RENDERED = frozenset({"template", "script", "style", "head", "title", "noscript",
                          "noembed", "noframes", "object", "iframe"})  # fmt: skip
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "source", "track", "wbr"})  # fmt: skip
DEFAULT_POINTS = 12.0
FAR = 999.0  # pixels: an offset this far moves text off any page
_LENGTH = re.compile(r"(-?\d*\.?\d+)\s*(px|pt|em|rem|%|ex|ch|pc|mm|cm|in)?")
_POINTS_PER = {"px": 0.75, "pt": 1.0, "pc": 12.0, "mm": 2.835, "cm": 28.35, "in": 72.0}
_CLIPPED_AWAY = re.compile(r"inset\(\s*(?:[5-9]\d|100)%|circle\(\s*0|polygon\(\s*0\s*0\s*,\s*0\s*0")
_SCALE = re.compile(r"scalex?\(\s*(-?\d*\.?\d+)")


def _points(value: str, parent: float) -> float | None:
    """A CSS length in points (em, rem, % and ex relative to the parent's font size)."""
    match = _LENGTH.match(value.strip())
    if match is None:
        return None
    number, unit = float(match.group(1)), match.group(2) or "px"
    if unit in ("em", "rem"):
        return number * parent
    if unit in ("%",):
        return number / 100 * parent
    if unit in ("ex", "ch"):
        return number * parent / 2
    return number * _POINTS_PER[unit]


def _colour(value: str) -> tuple[Colour | None, float]:
    """An RGB colour and its alpha from a CSS value (the first token that is a colour)."""
    for token in tinycss2.parse_component_value_list(value):
        parsed = tinycss2.color3.parse_color(token)
        if parsed is not None and not isinstance(parsed, str):
            return (parsed.red, parsed.green, parsed.blue), parsed.alpha
    return None, 1.0


def _declarations(style: str) -> dict[str, str]:
    """An inline style's declarations, by property, as lower-case text."""
    found: dict[str, str] = {}
    for item in tinycss2.parse_declaration_list(style, skip_comments=True, skip_whitespace=True):
        if item.type == "declaration":
            found[item.lower_name] = tinycss2.serialize(item.value).strip().lower()
    return found


def _cut_away(css: dict[str, str]) -> HiddenKind | None:
    """A clip, a one-pixel box or an offset that leaves no text in view."""
    clip = css.get("clip", "")
    if clip.startswith("rect(") and len(set(re.findall(r"-?\d*\.?\d+", clip))) <= 1:
        return "clipped text"
    clip_path = css.get("clip-path", "")
    if _CLIPPED_AWAY.search(clip_path):
        return "clipped text"
    if css.get("overflow", "").startswith(("hidden", "clip")):
        for side in ("width", "height", "max-width", "max-height"):
            size = _points(css.get(side, "9"), DEFAULT_POINTS)
            if size is not None and size <= 0.75:
                return "clipped text"
    for side in ("text-indent", "left", "top", "margin-left", "margin-top", "right"):
        offset = _points(css.get(side, "0"), DEFAULT_POINTS)
        if offset is not None and offset <= -FAR * 0.75:
            return "off-page text"
    return None


def _hiding(css: dict[str, str]) -> HiddenKind | None:
    if css.get("display", "").startswith("none") or css.get("visibility") in ("hidden", "collapse"):
        return "hidden html"
    opacity = _LENGTH.match(css.get("opacity", "1"))
    scale = 0.01 if opacity is not None and opacity.group(2) == "%" else 1.0
    if opacity is not None and float(opacity.group(1)) * scale < 0.1:
        return "hidden html"
    return _cut_away(css)


def element_look(tag: str, attrs: dict[str, str], parent: Appearance) -> Appearance:
    """How the element's text is drawn, given how its parent's is (inherited where CSS does)."""
    if tag in NOT_RENDERED or "hidden" in attrs or attrs.get("type") == "hidden":
        return replace(parent, hidden_by_format=parent.hidden_by_format or "hidden html")
    css = _declarations(attrs.get("style", ""))
    if "color" in attrs and "color" not in css:  # <font color="white">
        css["color"] = attrs["color"].lower()
    look = parent
    if why := _hiding(css):
        look = replace(look, hidden_by_format=parent.hidden_by_format or why)
    size = _points(css.get("font-size", ""), parent.points or DEFAULT_POINTS)
    if size is not None:
        look = replace(look, points=size)
    if scale := _SCALE.search(css.get("transform", "")):
        look = replace(look, width_scale=parent.width_scale * abs(float(scale.group(1))))
    if "color" in css:
        colour, alpha = _colour(css["color"])
        if colour is not None:
            look = replace(look, colour=colour if alpha >= 0.1 else look.background or (1, 1, 1))
    for name in ("background-color", "background"):
        if name in css:
            colour, alpha = _colour(css[name])
            if colour is not None and alpha >= 0.5:
                look = replace(look, background=colour)
                break
    return look
