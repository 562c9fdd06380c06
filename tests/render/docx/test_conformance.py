"""Every DOCX of plans/ against the schema: openxml-audit (the Open XML SDK's schema and
rules, without .NET) finds no error, and the properties elements keep the schema's order.

No error is allowed: none of the ones found so far was wrong (see ALLOWED)."""

from __future__ import annotations

import zipfile

import pytest
from lxml import etree

from conftest import TARGETS
from kenpo_report.render.docx.ooxml import ORDER

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Findings shown to be wrong, by (part, description): none.
ALLOWED: set[tuple[str, str]] = set()


def _docx_files(project):
    files = [f for b, y in TARGETS for f in sorted(project.output_dir(b, y).glob("*.docx"))]
    assert len(files) >= len(TARGETS)
    return files


@pytest.mark.parametrize("version", ["OFFICE_2019", "MICROSOFT_365"])
def test_openxml_audit_finds_no_error(built_everything, version):
    audit = pytest.importorskip("openxml_audit", reason="pip install -e '.[test]' installs it")
    validator = audit.OpenXmlValidator(file_format=getattr(audit.FileFormat, version), max_errors=0)
    for path in _docx_files(built_everything):
        result = validator.validate(path)
        found = [
            f"{e.part_uri} {e.path}: {e.description}"
            for e in result.errors
            if (e.part_uri, e.description) not in ALLOWED
        ]
        assert not found, f"{path.name}: {len(found)} errors, first {found[:5]}"
        verdict = audit.predict(result)
        assert verdict.prediction == audit.AppPrediction.OPENS_CLEAN, (path.name, verdict.basis)


def test_properties_in_schema_order(built_everything):
    """tblPr, tcPr, rPr, pPr and sectPr children as ECMA-376 Part 1 orders them."""
    rank = {
        f"{W}{parent}": {f"{W}{t}": i for i, t in enumerate(children.split())}
        for parent, children in ORDER.items()
    }
    # A section's header and footer references are a choice: in any order, first.
    rank[f"{W}sectPr"][f"{W}footerReference"] = rank[f"{W}sectPr"][f"{W}headerReference"]
    for path in _docx_files(built_everything):
        with zipfile.ZipFile(path) as archive:
            parts = [n for n in archive.namelist() if n.startswith("word/") and n.endswith(".xml")]
            trees = {n: etree.fromstring(archive.read(n)) for n in parts}
        for name, tree in trees.items():
            for parent in tree.iter(*rank):
                order = [rank[parent.tag].get(c.tag) for c in parent if c.tag.startswith(W)]
                assert None not in order, f"{path.name} {name}: unknown child of {parent.tag}"
                assert order == sorted(order), f"{path.name} {name}: {[c.tag for c in parent]}"
