"""The fonts the HTML's stylesheets give its body and its headings, for the DOCX's styles.

The PDF takes its fonts from the stylesheets the HTML links (``templates/…``): 福島's
body is BIZ UDPMincho, its headings BIZ UDPGothic. The DOCX's Normal and heading
styles take the same, read from the same rules (or ``style`` elements): the first family of the last
``font-family`` (or ``font``) given to ``html`` or ``body``, and to ``h1``–``h4``.
Only files inside the templates folder are read, as by the PDF renderer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import tinycss2
from lxml import html as lxml_html

DEFAULT = "BIZ UDPGothic"  # templates/shared/base.css
_BODY = {"html", "body"}
_HEADINGS = {"h1", "h2", "h3", "h4"}


@dataclass(frozen=True)
class Fonts:
    body: str = DEFAULT
    headings: str = DEFAULT


def fonts(tree: lxml_html.HtmlElement, templates: Path) -> Fonts:
    """The body's and the headings' font as the linked stylesheets give them (headings
    inherit the body's unless a rule names them)."""
    body = headings = None
    for text in _sheets(tree, templates):
        for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
            if rule.type != "qualified-rule":
                continue  # @page, @font-face: not the text's font
            selectors = {s.strip() for s in tinycss2.serialize(rule.prelude).split(",")}
            family = _family(rule.content)
            if family is None:
                continue
            if selectors & _BODY:
                body = family
            if selectors & _HEADINGS:
                headings = family
    body = body or DEFAULT
    return Fonts(body, headings or body)


def _sheets(tree: lxml_html.HtmlElement, templates: Path) -> list[str]:
    """The stylesheets' text in cascade order: linked ones, and ``style`` elements (the
    self-contained HTML has its sheets inline)."""
    root = templates.resolve()
    found = []
    for element in tree.iter("link", "style"):
        if element.tag == "style":
            found.append(element.text or "")
            continue
        if (element.get("rel") or "").lower() != "stylesheet" or not element.get("href"):
            continue
        path = (root / element.get("href")).resolve()
        if path.is_relative_to(root) and path.is_file():
            found.append(path.read_text(encoding="utf-8"))
    return found


def _family(content: list) -> str | None:
    """The first family of the rule's last ``font-family`` or ``font`` declaration."""
    family = None
    for declaration in tinycss2.parse_declaration_list(
        content, skip_comments=True, skip_whitespace=True
    ):
        if declaration.type != "declaration" or declaration.name not in ("font-family", "font"):
            continue
        strings = [t.value for t in declaration.value if t.type == "string"]
        if declaration.name == "font-family" and not strings:
            idents = tinycss2.serialize(declaration.value).split(",")[0].strip()
            strings = [idents] if idents else []
        family = strings[0] if strings else family
    return family


# A compound selector the DOCX can match against one element: a tag, classes, or both.
_COMPOUND = re.compile(r"^([a-z][a-z0-9]*)?((?:\.[\w-]+)*)$")
_LENGTH = re.compile(r"^([\d.]+)(pt|mm|px)$")
_POINTS = {"pt": 1.0, "mm": 72 / 25.4, "px": 0.75}
_SIDES = ("top", "right", "bottom", "left")
_Compound = tuple[str, frozenset[str]]  # a tag or "", and classes
_Declaration = tuple[tuple[int, int, int], tuple[_Compound, ...], tuple[int, int], str, str]


@dataclass(frozen=True)
class _Rule:
    # Each selector: its compounds, the element's own last, its ancestors' before it.
    selectors: tuple[tuple[_Compound, ...], ...]
    declarations: tuple[tuple[str, str], ...]


class Rules:
    """The stylesheets' rules whose selectors name an element by its tag and classes
    (``table.sheet-table``, ``.insert.xlong``), and, asked for (*deep*), those that name
    its ancestors too (``.cover .para``): what the DOCX can ask of one element without
    laying the page out. Child combinators and pseudo-classes are left out."""

    def __init__(self, rules: list[_Rule] | None = None) -> None:
        # Each property's declarations in cascade order: (its place, its selector, the
        # selector's specificity, the value); and those of each set of names asked for.
        self._declarations: dict[str, list[_Declaration]] = {}
        for r, rule in enumerate(rules or []):
            for s, selector in enumerate(rule.selectors):
                specificity = (sum(len(c) for _, c in selector), sum(bool(t) for t, _ in selector))
                for d, (name, value) in enumerate(rule.declarations):
                    entry = ((r, s, d), selector, specificity, name, value)
                    self._declarations.setdefault(name, []).append(entry)
        # ... each set filed by what its own compound requires (a class of it, else its tag,
        # else nothing): an element is matched only against the rules that could name it.
        self._merged: dict[tuple[str, ...], dict[str, list[_Declaration]]] = {}

    def value(self, el: lxml_html.HtmlElement, name: str, deep: bool = False) -> str | None:
        """*name*'s value for *el* itself (not inherited): the most specific matching
        rule's, the last of equally specific ones."""
        return self._declared(el, (name,), deep)[1]

    def inherited(self, el: lxml_html.HtmlElement, name: str) -> str | None:
        """*name*'s value as an inherited property has it (color, text-align): *el*'s own,
        else its nearest ancestor's that has one (descendant rules included)."""
        return next(
            (v for n in (el, *el.iterancestors()) if (v := self.value(n, name, deep=True))), None
        )

    def bold(self, el: lxml_html.HtmlElement) -> bool:
        """Whether *el*'s own rules make it bold (``font-weight: bold``, 600 or more)."""
        weight = self.value(el, "font-weight", deep=True) or ""
        return weight == "bold" or (weight.isdigit() and int(weight) >= 600)

    def points(self, el: lxml_html.HtmlElement, name: str, deep: bool = False) -> float | None:
        """*name*'s value for *el* as points, if it is an absolute length (pt, mm, px)."""
        return _length(self.value(el, name, deep) or "")

    def side(self, el: lxml_html.HtmlElement, prop: str, side: str) -> float | None:
        """*el*'s ``margin`` or ``padding`` (*prop*) on one side, in points, from its
        longhand or shorthand, whichever wins (descendant rules included); 0 for ``0``."""
        name, value = self._declared(el, (prop, f"{prop}-{side}"), deep=True)
        if value is None:
            return None
        one = _by_side(value.split(), side) if name == prop else value
        if one is None:
            return None
        return 0.0 if one == "0" else _length(one)

    def borders(self, el: lxml_html.HtmlElement, sides: Sequence[str]) -> dict[str, Border | None]:
        """*el*'s border on each of *sides* (see :meth:`border`), in that order; for most
        elements, which no border rule names at all, found in one lookup."""
        if self._declared(el, _ANY_BORDER, deep=True)[1] is None:
            return dict.fromkeys(sides)
        return {side: self.border(el, side) for side in sides}

    def border(self, el: lxml_html.HtmlElement, side: str) -> Border | None:
        """*el*'s border on one side (descendant rules included), or None if it has none:
        each of its width, style and colour from whichever wins of the ``border``,
        ``border-<side>``, ``border-<part>`` and ``border-<side>-<part>`` that give it
        (``.box.kpi { border-color }`` over ``.box { border }``), else its initial value."""
        parts = {}
        for part in _BORDER_PARTS:
            names = ("border", f"border-{side}", f"border-{part}", f"border-{side}-{part}")
            name, value = self._declared(el, names, deep=True)
            if value is None:
                continue
            if name in names[:2]:  # a shorthand: the part among its values, if given
                value = next((v for v in value.split() if _border_part(v) == part), None)
            elif name == names[2]:  # one to four values, by side
                value = _by_side(value.split(), side)
            parts[part] = value
        width = parts.get("width") or "medium"
        points = _WIDTHS.get(width) or _length(width)
        if parts.get("style") in (None, "none", "hidden") or not points:
            return None
        return Border(parts["style"], points, hex_colour(parts.get("color")))

    def _declared(
        self, el: lxml_html.HtmlElement, names: tuple[str, ...], deep: bool
    ) -> tuple[str | None, str | None]:
        filed = self._merged.get(names)
        if filed is None:
            filed = {}
            for e in sorted(e for n in set(names) for e in self._declarations.get(n, ())):
                filed.setdefault(_filing(e[1][-1]), []).append(e)
            self._merged[names] = filed
        keys = ("", f"<{tag(el)}", *classes(el))
        candidates = [e for key in keys for e in filed.get(key, ())]
        if len(keys) > 2:
            candidates.sort()  # cascade order again, across the lists
        best, found = (-1, -1), (None, None)
        for _, selector, specificity, declared, value in candidates:
            if specificity < best or (len(selector) > 1 and not deep):
                continue
            if _matches(selector, el):
                best, found = specificity, (declared, value)
        return found


@dataclass(frozen=True)
class Border:
    """One side of a box's border: its CSS style (solid, dashed…), width in points and
    colour (``1F4E79``; None: the text's)."""

    style: str
    points: float
    colour: str | None


_WIDTHS = {"thin": 0.75, "medium": 2.25, "thick": 3.75}
_BORDER_PARTS = ("width", "style", "color")
_ANY_BORDER = tuple(
    f"border{side}{part}"
    for side in ("", "-top", "-right", "-bottom", "-left")
    for part in ("", "-width", "-style", "-color")
)
_STYLES = {"none", "hidden", "solid", "dashed", "dotted", "double", "groove", "ridge"}
_STYLES |= {"inset", "outset"}


def _border_part(value: str) -> str:
    """Which part of a border one value of a ``border`` shorthand gives."""
    if value == "0" or value in _WIDTHS or _length(value) is not None:
        return "width"
    return "style" if value in _STYLES else "color"


def _by_side(values: list[str], side: str) -> str | None:
    """One side's value of a one-to-four-value property (``margin``, ``border-color``)."""
    picks = {1: (0, 0, 0, 0), 2: (0, 1, 0, 1), 3: (0, 1, 2, 1), 4: (0, 1, 2, 3)}
    if len(values) not in picks:
        return None
    return values[picks[len(values)][_SIDES.index(side)]]


def _length(text: str) -> float | None:
    match = _LENGTH.match(text.strip())
    return float(match.group(1)) * _POINTS[match.group(2)] if match else None


def _filing(own: _Compound) -> str:
    """The key a rule is filed under: a class its element must have, else ``<tag``, else ""."""
    tag_, wanted = own
    return min(wanted) if wanted else (f"<{tag_}" if tag_ else "")


def _matches(selector: tuple[_Compound, ...], el: lxml_html.HtmlElement) -> bool:
    """Whether *el* is the subject of *selector*: its last compound, the others (in order)
    some of its ancestors."""
    *ancestors, own = selector
    if not _compound(own, el):
        return False
    pending = list(reversed(ancestors))
    for node in el.iterancestors():
        if pending and _compound(pending[0], node):
            pending.pop(0)
    return not pending


def _compound(compound: _Compound, el: lxml_html.HtmlElement) -> bool:
    own, wanted = compound
    return (not own or own == tag(el)) and wanted <= classes(el)


def tag(el: lxml_html.HtmlElement) -> str:
    """*el*'s tag, "" for a comment or a processing instruction."""
    return el.tag if isinstance(el.tag, str) else ""


def classes(el: lxml_html.HtmlElement) -> set[str]:
    return set((el.get("class") or "").split())


def rules(tree: lxml_html.HtmlElement, templates: Path) -> Rules:
    """The rules of the sheets the HTML links whose selectors it can match (see :class:`Rules`)."""
    found = []
    for text in _sheets(tree, templates):
        for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
            if rule.type != "qualified-rule":
                continue
            selectors = tuple(
                selector
                for s in tinycss2.serialize(rule.prelude).split(",")
                if (selector := _selector(s))
            )
            if not selectors:
                continue
            declarations = tuple(
                (d.name, tinycss2.serialize(d.value).strip())
                for d in tinycss2.parse_declaration_list(
                    rule.content, skip_comments=True, skip_whitespace=True
                )
                if d.type == "declaration"
            )
            found.append(_Rule(selectors, declarations))
    return Rules(found)


def _selector(text: str) -> tuple[_Compound, ...]:
    """A selector's compounds (descendant combinators only), or () if it has others."""
    out = []
    for part in text.split():
        match = _COMPOUND.match(part)
        if not match:
            return ()
        out.append((match.group(1) or "", frozenset(match.group(2).split(".")) - {""}))
    return tuple(out)


def hex_colour(value: str | None) -> str | None:
    """A CSS colour as OOXML writes it (``1f4e79``), for ``#rgb``/``#rrggbb`` and ``#fff``
    in a ``background`` shorthand; None for anything else (``none``, names)."""
    match = re.search(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b", value or "")
    if match is None:
        return None
    digits = match.group(1)
    return (digits if len(digits) == 6 else "".join(c * 2 for c in digits)).upper()
