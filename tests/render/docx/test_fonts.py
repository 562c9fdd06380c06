"""The bundled fonts embedded in every DOCX: obfuscated, subset, described, and what
LibreOffice draws with on a machine that has none of them."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from fontTools.ttLib import TTFont
from lxml import etree

from conftest import ROOT
from kenpo_report.render import docx as docx_render
from kenpo_report.render.docx import fonts
from kenpo_report.render.docx.font_usage import characters_by_face
from kenpo_report.render.results import Assets

FONTS = ROOT / "fonts"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
# The PostScript names of the bundled faces, as pdffonts lists them.
BUNDLED = {
    "BIZUDPGothic-Regular",
    "BIZUDPGothic-Bold",
    "BIZUDPMincho-Regular",
    "KenpoSymbols-Regular",
}


@pytest.fixture(scope="module")
def documents(built_everything) -> list[Path]:
    paths = sorted(built_everything.root.glob("output/*/*/*.docx"))
    assert len(paths) >= 5
    return paths


def embedded(path: Path) -> list[tuple[etree._Element, str, str, bytes]]:
    """(w:font, embed element name, w:fontKey, de-obfuscated font) for each embedded face."""
    with zipfile.ZipFile(path) as archive:
        table = etree.fromstring(archive.read("word/fontTable.xml"))
        rels = etree.fromstring(archive.read("word/_rels/fontTable.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels}
        out = []
        for font in table.iter(f"{{{W}}}font"):
            for child in font:
                if etree.QName(child).localname.startswith("embed"):
                    key = child.get(f"{{{W}}}fontKey")
                    data = archive.read("word/" + targets[child.get(f"{{{R}}}id")])
                    out.append(
                        (font, etree.QName(child).localname, key, fonts.obfuscate(data, key))
                    )
    return out


# --- obfuscation ----------------------------------------------------------------


def test_obfuscation_xors_the_first_32_bytes_with_the_key_last_byte_first():
    # ECMA-376 Part 1, §17.8.1: the key's hex digits read from the end, two at a time.
    key = "{00112233-4455-6677-8899-AABBCCDDEEFF}"
    out = fonts.obfuscate(bytes(40), key)
    reversed_key = bytes.fromhex("FFEEDDCCBBAA99887766554433221100")
    assert out == reversed_key + reversed_key + bytes(8)


def test_obfuscation_round_trip_gives_the_subset_back():
    data = fonts.subset_font(FONTS / "BIZUDPGothic-Regular.ttf", "岩手支部")
    key = fonts.font_key(data)
    assert re.fullmatch(r"\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", key)
    hidden = fonts.obfuscate(data, key)
    assert hidden[:32] != data[:32] and hidden[32:] == data[32:]
    assert fonts.obfuscate(hidden, key) == data
    cmap = TTFont(io.BytesIO(fonts.obfuscate(hidden, key))).getBestCmap()
    assert {chr(c) for c in cmap} >= set("岩手支部0123456789")
    assert "協" not in {chr(c) for c in cmap}


# --- what every DOCX holds ------------------------------------------------------


def test_every_docx_embeds_subsets_of_the_bundled_fonts(documents):
    original = (FONTS / "BIZUDPGothic-Regular.ttf").stat().st_size
    for path in documents:
        faces = embedded(path)
        names = {(font.get(f"{{{W}}}name"), kind) for font, kind, _, _ in faces}
        assert ("BIZ UDPGothic", "embedRegular") in names, path
        for font, kind, key, data in faces:
            opened = TTFont(io.BytesIO(data))  # a font again, once de-obfuscated
            assert opened["name"].getDebugName(1) == font.get(f"{{{W}}}name"), path
            assert opened["OS/2"].usWeightClass == (700 if kind == "embedBold" else 400)
            assert len(data) < original / 10, f"{path.name}: {kind} is not a subset"
            assert key == key.upper()
        with zipfile.ZipFile(path) as archive:
            settings = archive.read("word/settings.xml").decode()
            types = etree.fromstring(archive.read("[Content_Types].xml"))
            parts = [n for n in archive.namelist() if n.startswith("word/fonts/")]
        assert "<w:embedTrueTypeFonts/><w:saveSubsetFonts/>" in settings
        overrides = {
            o.get("PartName"): o.get("ContentType") for o in types.iter(f"{{{CT}}}Override")
        }
        assert len(parts) == len(faces)
        for name in parts:
            assert overrides["/" + name] == fonts.OBFUSCATED_FONT


def test_subsets_hold_every_character_of_the_document(documents):
    for path in documents:
        cmaps = {}
        for font, kind, _, data in embedded(path):
            face = (font.get(f"{{{W}}}name"), kind == "embedBold")
            cmaps[face] = {chr(c) for c in TTFont(io.BytesIO(data)).getBestCmap()}
        doc = docx.Document(str(path))
        for (family, bold), chars in characters_by_face(doc).items():
            face = (family, bold) if (family, bold) in cmaps else (family, False)
            if face in cmaps:
                assert chars <= cmaps[face], f"{path.name} {face}"
        # Independently of how runs resolve their fonts: each character is in some subset.
        text = set()
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", name):
                    root = etree.fromstring(archive.read(name))
                    text.update("".join(t.text or "" for t in root.iter(f"{{{W}}}t")))
        assert text <= set().union(*cmaps.values()), path.name


def test_font_table_describes_each_font_from_its_os2_table(documents):
    for path in documents:
        for font, _, _, _ in embedded(path):
            name = font.get(f"{{{W}}}name")
            file = {"BIZ UDPGothic": "BIZUDPGothic", "BIZ UDPMincho": "BIZUDPMincho"}.get(name)
            if file is None:
                continue
            with TTFont(FONTS / f"{file}-Regular.ttf") as original:
                os2 = original["OS/2"]
            values = {etree.QName(c).localname: c.get(f"{{{W}}}val") for c in font}
            assert values["altName"] == {"BIZ UDPGothic": "BIZ UDPゴシック"}.get(
                name, "BIZ UDP明朝"
            )
            assert values["charset"] == "80"  # SHIFTJIS
            assert values["family"] == ("swiss" if "Gothic" in name else "roman")
            assert values["pitch"] == "variable"
            panose = "020B0400000000000000" if "Gothic" in name else "02020400000000000000"
            assert values["panose1"] == panose
            sig = font.find(f"{{{W}}}sig")
            assert sig.get(f"{{{W}}}usb0") == f"{os2.ulUnicodeRange1:08X}"
            assert sig.get(f"{{{W}}}csb0") == f"{os2.ulCodePageRange1:08X}" == "20020009"
            tags = [etree.QName(c).localname for c in font]
            assert tags[:6] == ["altName", "panose1", "charset", "family", "pitch", "sig"]


def test_same_document_same_bytes_and_no_fonts_folder_no_fonts(tmp_path):
    html = "<html><body><section id='a'><h2>見出し</h2><p>本文 ☚１位</p></section></body></html>"
    assets = Assets(ROOT / "templates", FONTS)
    first = docx_render.render(html, assets)
    assert first == docx_render.render(html, assets)
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        names = [n for n in archive.namelist() if n.endswith(".odttf")]
    assert len(names) == 3  # Gothic regular (body), bold (heading), Kenpo Symbols (☚)
    bare = docx.Document(io.BytesIO(docx_render.render(html, Assets(tmp_path, tmp_path))))
    assert bare.settings.element.find(qn("w:embedTrueTypeFonts")) is None


# --- LibreOffice on a machine without the fonts ---------------------------------


def _fontconfig(folder: Path) -> Path:
    """A fontconfig file with the system's fonts only, and no BIZ UD or Kenpo Symbols
    among them even where they are installed: LibreOffice must take the embedded ones."""
    config = folder / "fonts.conf"

    def write(rejected: list[str]) -> None:
        globs = "".join(f"<glob>{path}</glob>" for path in rejected)
        reject = f"<selectfont><rejectfont>{globs}</rejectfont></selectfont>" if globs else ""
        config.write_text(
            '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
            f"<dir>/usr/share/fonts</dir><cachedir>{folder}/cache</cachedir>"
            f"{reject}</fontconfig>",
            encoding="utf-8",
        )

    def listed() -> list[tuple[str, str]]:
        run = subprocess.run(
            ["fc-list", "--format", "%{file}\t%{family}\n"],
            env={**os.environ, "FONTCONFIG_FILE": str(config)},
            capture_output=True,
            text=True,
            check=True,
        )
        return [tuple(line.split("\t", 1)) for line in run.stdout.splitlines() if "\t" in line]

    write([])
    # By file, not by family: a family rule would reject LibreOffice's embedded fonts too.
    write([file for file, family in listed() if re.search(r"BIZ ?UD|Kenpo", family, re.I)])
    assert not [f for f in listed() if re.search(r"BIZ ?UD|Kenpo", f[1], re.I)]
    return config


def _convert(office: str, config: Path, path: Path, folder: Path) -> Path:
    # A process (and profile) per document: LibreOffice keeps the first subset it is
    # given of a font for the whole process, so a later document's glyphs would be missing.
    profile = folder / f"profile-{path.stem}"
    out = folder / path.stem
    subprocess.run(
        [
            office,
            "--headless",
            f"-env:UserInstallation={profile.as_uri()}",
            *("--convert-to", "pdf", "--outdir", str(out), str(path)),
        ],
        env={**os.environ, "FONTCONFIG_FILE": str(config)},
        check=True,
        capture_output=True,
        timeout=600,
    )
    return out / f"{path.stem}.pdf"


@pytest.fixture(scope="module")
def converted(documents, tmp_path_factory) -> list[Path]:
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None or shutil.which("pdffonts") is None or shutil.which("fc-list") is None:
        pytest.skip("LibreOffice, pdffonts or fc-list is not installed (scripts/setup --test)")
    folder = tmp_path_factory.mktemp("lo-fonts")
    config = _fontconfig(folder)
    copies = []
    for path in documents:
        copy = folder / f"{path.parent.parent.name}-{path.stem}.docx"
        shutil.copyfile(path, copy)
        copies.append(copy)
    with ThreadPoolExecutor(max_workers=min(len(copies), max(2, os.cpu_count() or 2))) as pool:
        return list(pool.map(lambda p: _convert(office, config, p, folder), copies))


def test_libreoffice_draws_only_with_the_embedded_fonts(converted):
    for pdf in converted:
        assert pdf.is_file(), "LibreOffice can exit 0 without output"
        listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
        rows = [line.split() for line in listing.stdout.splitlines()[2:] if line.strip()]
        names = {row[0].split("+")[-1] for row in rows}
        assert "BIZUDPGothic-Regular" in names, pdf.name
        assert names <= BUNDLED, f"{pdf.name}: substituted {sorted(names - BUNDLED)}"
