"""Which CSS an HTML element carries, and what it does to the element's visibility.

Declarations come from the element's `style` attribute and from the page's `<style>` sheets
(rules matched with soupsieve, the selector engine of beautifulsoup4; parsed with tinycss2).
Only what decides whether a reader sees text is read: display, visibility, opacity, font
size, colour and background, size with overflow clipped, clipping, and far-off positions.
Specificity is not weighed: inline declarations win over sheets, later sheets over earlier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import soupsieve
import tinycss2

from guard import HiddenKind

if TYPE_CHECKING:
    from bs4 import BeautifulSoup, Tag

    from tools.ceilings import Deadline

DEFAULT_PX = 16.0
TINY_PX = 4 * 96 / 72  # under 4 pt: nobody reads it (as in a DOCX)
FAR_PX = 1000.0  # moved this far off the page, text is out of sight
MAX_RULES = 2000  # a page's style sheets are short; a hostile one must not take minutes
_READ = frozenset({
    "display", "visibility", "opacity", "font-size", "color", "background", "background-color",
    "width", "height", "max-height", "max-width", "overflow", "clip", "clip-path", "position",
    "left", "top", "text-indent", "font",
})  # fmt: skip
_LENGTH = re.compile(r"(-?\d*\.?\d+)\s*(px|pt|em|rem|%|ex|ch|vw|vh|cm|mm|in|pc)?\s*$")
_UNIT_PX = {"px": 1.0, "pt": 96 / 72, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4}
_NAMED_WHITE = frozenset({"white", "#fff", "#ffffff", "snow", "ghostwhite", "whitesmoke"})
_TRANSPARENT = frozenset({"transparent", "none", "initial", "inherit", "unset", "revert"})
Declarations = dict[str, str]


@dataclass(frozen=True)
class Inherited:
    """What an element passes on to its text: hidden visibility, size, colour, backdrop."""

    invisible: bool = False
    font_px: float = DEFAULT_PX
    white: bool = False
    backdrop: bool = False  # a coloured background lies beneath: white text on it shows


def declarations(css: str) -> Declarations:
    """The visibility-related declarations of a `style` attribute, lower-cased."""
    found: Declarations = {}
    for item in tinycss2.parse_declaration_list(css, skip_comments=True, skip_whitespace=True):
        if item.type == "declaration" and item.lower_name in _READ:
            found[item.lower_name] = tinycss2.serialize(item.value).strip().lower()
    return found


def _hiding(css: Declarations) -> bool:
    """Whether declarations put text out of sight by themselves (on a page's default text)."""
    gone, state = apply(css, Inherited())
    return gone is not None or text_hidden(state) is not None


def sheet_rules(soup: BeautifulSoup, deadline: Deadline | None = None) -> dict[int, Declarations]:
    """Per element (by id()), the declarations its page's style sheets give it.

    A rule is matched against the whole page, so only the rules that matter are: those that
    hide, and those that could undo a hiding (a colour, a size, `visibility: visible`) when
    the page hides anything by CSS at all. `deadline` is checked before each match.
    """
    rules: list[tuple[str, Declarations]] = []
    for style in soup.find_all("style"):
        for rule in tinycss2.parse_stylesheet(style.get_text(), True, True):
            if rule.type == "qualified-rule" and len(rules) < MAX_RULES:
                found = declarations(tinycss2.serialize(rule.content))
                if found:
                    rules.append((tinycss2.serialize(rule.prelude).strip(), found))
    inline = (declarations(str(tag.get("style"))) for tag in soup.find_all(style=True))
    hides = any(_hiding(css) for _, css in rules) or any(_hiding(css) for css in inline)
    matched: dict[int, Declarations] = {}
    for selector, found in rules:
        if not hides:
            break  # nothing on the page is hidden by CSS: nothing for a rule to undo
        if deadline is not None:
            deadline.check("matching the page's style sheet")
        try:
            elements = soupsieve.select(selector, soup)
        except Exception:  # soupsieve's errors on pseudo-elements and the like: no match
            continue
        for element in elements:
            matched.setdefault(id(element), {}).update(found)
    return matched


def _px(value: str, parent_px: float) -> float | None:
    """A CSS length in pixels (relative units against the parent's font size)."""
    match = _LENGTH.match(value.strip())
    if not match:
        return None
    number, unit = float(match.group(1)), match.group(2) or "px"
    if unit in ("em", "rem", "ex", "ch"):
        base = DEFAULT_PX if unit == "rem" else parent_px
        return number * base * (0.5 if unit in ("ex", "ch") else 1.0)
    if unit == "%":
        return number * parent_px / 100
    return number * _UNIT_PX.get(unit, 1.0) if unit in _UNIT_PX else number


def _white(value: str) -> bool:
    value = value.replace(" ", "")
    if value in _NAMED_WHITE:
        return True
    if match := re.fullmatch(r"rgba?\((\d+),(\d+),(\d+)(?:,[\d.]+)?\)", value):
        return min(int(g) for g in match.groups()) >= 243
    if re.fullmatch(r"#[0-9a-f]{6}", value):
        return min(int(value[i : i + 2], 16) for i in (1, 3, 5)) >= 243
    return False


def _painted(value: str) -> bool:
    """A background that paints a colour other than white (an image counts as painted)."""
    first = value.split()[0] if value.split() else ""
    return bool(first) and first not in _TRANSPARENT and not _white(first)


def _gone(css: Declarations, parent: Inherited) -> HiddenKind | None:
    """Why an element and everything in it is out of sight, or None."""
    if css.get("display") == "none":
        return "hidden html"
    opacity = _px(css.get("opacity", "1"), 1.0)
    if opacity is not None and opacity <= 0.02:
        return "hidden html"
    clipped = css.get("overflow", "") in ("hidden", "clip") or "clip" in css
    for name in ("width", "height", "max-height", "max-width"):
        size = _px(css.get(name, "auto"), parent.font_px)
        if size is not None and size <= 1 and (clipped or name.startswith("max")):
            return "hidden html"
    if re.search(r"rect\(\s*0(px)?[\s,]+0(px)?[\s,]+0(px)?[\s,]+0", css.get("clip", "")):
        return "hidden html"
    if re.search(r"inset\(\s*50%|circle\(\s*0", css.get("clip-path", "")):
        return "hidden html"
    far = [_px(css.get(name, "0"), parent.font_px) or 0.0 for name in ("left", "top")]
    positioned = css.get("position") in ("absolute", "fixed")
    indent = _px(css.get("text-indent", "0"), parent.font_px) or 0.0
    if (positioned and min(far) <= -FAR_PX) or indent <= -FAR_PX:
        return "off-page text"
    return None


def apply(css: Declarations, parent: Inherited) -> tuple[HiddenKind | None, Inherited]:
    """Why the element is out of sight entirely (or None), and what its text inherits."""
    gone = _gone(css, parent)
    state = parent
    if "visibility" in css:
        state = replace(state, invisible=css["visibility"] in ("hidden", "collapse"))
    size = css.get("font-size") or _font_shorthand_size(css.get("font", ""))
    if size and (px := _px(size, parent.font_px)) is not None:
        state = replace(state, font_px=px)
    if "color" in css:
        state = replace(state, white=_white(css["color"]))
    for name in ("background", "background-color"):
        if name in css:
            state = replace(state, backdrop=_painted(css[name]))
    return gone, state


def _font_shorthand_size(value: str) -> str:
    """The size in a `font` shorthand (`12px/1.4 Arial` gives `12px`)."""
    for word in value.split():
        size = word.split("/")[0]
        if _LENGTH.match(size) and not size.replace(".", "").isdigit():
            return size
    return ""


def text_hidden(state: Inherited) -> HiddenKind | None:
    """Why text with these inherited properties is not seen, or None."""
    if state.invisible:
        return "hidden html"
    if state.font_px < TINY_PX:
        return "tiny text"
    if state.white and not state.backdrop:
        return "white text"
    return None


def element_css(element: Tag, sheets: dict[int, Declarations]) -> Declarations:
    """The element's declarations: its sheets' rules, then its own style attribute."""
    css = dict(sheets.get(id(element), {}))
    style = element.get("style")
    if isinstance(style, str) and style.strip():
        css.update(declarations(style))
    return css
