"""The fonts the HTML's stylesheets give its body and its headings, for the DOCX's styles.

The PDF takes its fonts from the stylesheets the HTML links (``templates/…``): 福島's
body is BIZ UDPMincho, its headings BIZ UDPGothic. The DOCX's Normal and heading
styles take the same, read from the same rules (or ``style`` elements): the first family of the last
``font-family`` (or ``font``) given to ``html`` or ``body``, and to ``h1``–``h4``.
Only files inside the templates folder are read, as by the PDF renderer.
"""

from __future__ import annotations

import re
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


@dataclass(frozen=True)
class _Rule:
    selectors: tuple[tuple[str, frozenset[str]], ...]  # (tag or "", classes) each
    declarations: tuple[tuple[str, str], ...]


class Rules:
    """The stylesheets' rules whose selectors name an element by its tag and classes only
    (``table.sheet-table``, ``.insert.xlong``): what the DOCX can ask of one element
    without laying the page out. Descendant and pseudo-class selectors are left out."""

    def __init__(self, rules: list[_Rule] | None = None) -> None:
        self._rules = rules or []

    def value(self, el: lxml_html.HtmlElement, name: str) -> str | None:
        """*name*'s value for *el* itself (not inherited): the most specific matching
        rule's, the last of equally specific ones."""
        tag = el.tag if isinstance(el.tag, str) else ""
        classes = set((el.get("class") or "").split())
        best, found = (-1, -1), None
        for rule in self._rules:
            for selector_tag, selector_classes in rule.selectors:
                if (selector_tag and selector_tag != tag) or not selector_classes <= classes:
                    continue
                specificity = (len(selector_classes), bool(selector_tag))
                for declared, value in rule.declarations:
                    if declared == name and specificity >= best:
                        best, found = specificity, value
        return found

    def points(self, el: lxml_html.HtmlElement, name: str) -> float | None:
        """*name*'s value for *el* as points, if it is an absolute length (pt, mm, px)."""
        match = _LENGTH.match((self.value(el, name) or "").strip())
        return float(match.group(1)) * _POINTS[match.group(2)] if match else None


def rules(tree: lxml_html.HtmlElement, templates: Path) -> Rules:
    """The element-selecting rules of the sheets the HTML links (see :class:`Rules`)."""
    found = []
    for text in _sheets(tree, templates):
        for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
            if rule.type != "qualified-rule":
                continue
            selectors = tuple(
                (m.group(1) or "", frozenset(m.group(2).split(".")) - {""})
                for s in tinycss2.serialize(rule.prelude).split(",")
                if (m := _COMPOUND.match(s.strip())) and s.strip()
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
