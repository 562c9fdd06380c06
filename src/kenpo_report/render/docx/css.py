"""The fonts the HTML's stylesheets give its body and its headings, for the DOCX's styles.

The PDF takes its fonts from the stylesheets the HTML links (``templates/…``): 福島's
body is BIZ UDPMincho, its headings BIZ UDPGothic. The DOCX's Normal and heading
styles take the same, read from the same rules (or ``style`` elements): the first family of the last
``font-family`` (or ``font``) given to ``html`` or ``body``, and to ``h1``–``h4``.
Only files inside the templates folder are read, as by the PDF renderer.
"""

from __future__ import annotations

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
