"""What an upload holds and what the portal keeps of it: its searchable text, a preview
image, and `prepare`, the whole pipeline for an upload (checked by portal.assets.files,
then stored in the BlobStore it is given, portal/storage.py). Independent of Flask and the
database.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import logging
import posixpath
import re
import xml.etree.ElementTree as ElementTree
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pypdfium2 as pdfium
from PIL import Image, ImageOps

from portal.assets.files import PDFIUM_LOCK, FileKind, has_too_many_pixels, safe_filename, sniff
from portal.core.markdown import plain_text

if TYPE_CHECKING:
    from portal.storage import BlobStore

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = 200_000
PREVIEW_WIDTH = 640
# Keeps the preview of a very tall page or image from becoming a huge bitmap.
PREVIEW_MAX_HEIGHT = 4 * PREVIEW_WIDTH
MAX_UNCOMPRESSED_BYTES = 20 * 1024 * 1024


# --- Searchable text ------------------------------------------------------------------


def extract_text(kind: FileKind, data: bytes) -> str:
    """The searchable text of a file sniff() accepted, whitespace collapsed, capped at
    MAX_TEXT_CHARS. Never raises: what could be read, "" at worst."""
    reader = _TEXT_READERS.get(kind)
    if reader is None:
        return ""
    parts: list[str] = []
    length = 0
    try:
        with contextlib.closing(reader(data)) as texts:
            for text in texts:
                part = _collapse_whitespace(text)
                if part:
                    parts.append(part)
                    length += len(part)
                if length >= MAX_TEXT_CHARS:
                    break
    except Exception:  # a damaged part must not lose what was read before it
        logger.warning("Could not read all the text of a %s", kind.label, exc_info=True)
    return "\n\n".join(parts)[:MAX_TEXT_CHARS]


_LINE_ENDINGS = re.compile(r"\r\n?")
# Control characters count as space: they only get in the way of search.
_SPACES = re.compile(r"(?:[^\S\n]|[\x00-\x08\x0e-\x1f\x7f])+")
_SPACES_AROUND_NEWLINES = re.compile(r" ?\n ?")
_BLANK_LINES = re.compile(r"\n{3,}")


def _collapse_whitespace(text: str) -> str:
    text = _SPACES.sub(" ", _LINE_ENDINGS.sub("\n", text))
    text = _SPACES_AROUND_NEWLINES.sub("\n", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


def _text_file_text(data: bytes) -> Iterator[str]:
    yield data.decode("utf-8-sig", errors="replace")


def _markdown_text(data: bytes) -> Iterator[str]:
    yield plain_text(data.decode("utf-8-sig", errors="replace"))


def _pdf_page_texts(data: bytes) -> Iterator[str]:
    # The lock is taken per PDFium call, never held while the caller runs between pages.
    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(data)
        page_count = len(document)
    try:
        for index in range(page_count):
            with PDFIUM_LOCK:
                text = _pdf_page_text(document, index)
            yield text
    finally:
        with PDFIUM_LOCK:
            document.close()


def _pdf_page_text(document: pdfium.PdfDocument, index: int) -> str:
    page = document[index]
    try:
        text_page = page.get_textpage()
        try:
            # PDFium writes a hyphen it takes for a line-end hyphenation as U+FFFE, a
            # noncharacter: it is a hyphen on the page ("on-premises"), so it stays one.
            return text_page.get_text_range().replace("\ufffe", "-")
        finally:
            text_page.close()
    finally:
        page.close()


def _docx_texts(data: bytes) -> Iterator[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        yield from _xml_texts(_read_parts(archive, ["word/document.xml"]))


def _pptx_slide_texts(data: bytes) -> Iterator[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        yield from _xml_texts(_read_parts(archive, _slides_in_order(archive)))


def _xlsx_texts(data: bytes) -> Iterator[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        worksheets = sorted(name for name in archive.namelist()
                            if name.startswith("xl/worksheets/") and name.endswith(".xml"))
        yield from _xml_texts(_read_parts(archive, ["xl/sharedStrings.xml", *worksheets]))


def _slides_in_order(archive: zipfile.ZipFile) -> list[str]:
    """Slide part names in the order the presentation shows them, which need not be the
    order of their file names once slides have been moved."""
    presentation = ElementTree.fromstring(archive.read("ppt/presentation.xml"))
    relationships = ElementTree.fromstring(archive.read("ppt/_rels/presentation.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in relationships}
    slide_ids = [element for element in presentation.iter() if _local_name(element) == "sldId"]
    return [_part_name("ppt", targets.get(_relationship_id(slide), "")) for slide in slide_ids]


def _relationship_id(slide_id: ElementTree.Element) -> str | None:
    """The namespaced r:id attribute, not the slide's plain numeric id."""
    return next((value for key, value in slide_id.attrib.items()
                 if key.startswith("{") and key.endswith("}id")), None)


def _part_name(folder: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(folder, target))


def _read_parts(archive: zipfile.ZipFile, names: Iterable[str]) -> Iterator[tuple[str, bytes]]:
    """(name, content) of the parts that exist, skipping any that would take the total
    uncompressed size past MAX_UNCOMPRESSED_BYTES (zip bombs)."""
    budget = MAX_UNCOMPRESSED_BYTES
    present = set(archive.namelist())
    for name in names:
        if name not in present:
            continue
        # zipfile never inflates a member past its declared size, so the check holds.
        size = archive.getinfo(name).file_size
        if size > budget:
            logger.warning("Skipped %s: %d bytes uncompressed is over the limit", name, size)
            continue
        budget -= size
        yield name, archive.read(name)


# Text runs, and the elements that end a line: paragraphs, line breaks, spreadsheet strings.
_TEXT_ELEMENTS = frozenset({"t"})
_LINE_BREAK_ELEMENTS = frozenset({"p", "br", "cr", "si", "is"})
_SPACE_ELEMENTS = frozenset({"tab"})


def _xml_texts(parts: Iterable[tuple[str, bytes]]) -> Iterator[str]:
    """The text of each OOXML part. Elements are matched by local name, so transitional
    and strict OOXML namespaces both work."""
    for name, part in parts:
        if b"<!DOCTYPE" in part:
            logger.warning("Skipped %s: OOXML parts have no DTD, so this one is hostile", name)
            continue
        try:
            text = _xml_text(part)
        except ElementTree.ParseError as error:
            logger.warning("Skipped %s, which is not well-formed XML: %s", name, error)
            continue
        yield text


def _xml_text(part: bytes) -> str:
    pieces: list[str] = []
    for _, element in ElementTree.iterparse(io.BytesIO(part), events=("end",)):
        name = _local_name(element)
        if name in _TEXT_ELEMENTS:
            pieces.append(element.text or "")
        elif name in _LINE_BREAK_ELEMENTS:
            pieces.append("\n")
        elif name in _SPACE_ELEMENTS:
            pieces.append(" ")
        element.clear()
    return "".join(pieces)


def _local_name(element: ElementTree.Element) -> str:
    return element.tag.rpartition("}")[2]


_TEXT_READERS = {
    FileKind.pdf: _pdf_page_texts,
    FileKind.docx: _docx_texts,
    FileKind.pptx: _pptx_slide_texts,
    FileKind.xlsx: _xlsx_texts,
    FileKind.text: _text_file_text,
    FileKind.markdown: _markdown_text,
}


# --- Previews -------------------------------------------------------------------------


def make_preview(kind: FileKind, data: bytes) -> bytes | None:
    """A PNG at most PREVIEW_WIDTH wide: a PDF's first page or the image itself,
    re-encoded without metadata. None for other kinds, or when it can't be made."""
    if kind is FileKind.pdf:
        to_image = _render_first_page
    elif kind.is_image:
        to_image = _open_image
    else:
        return None
    try:
        image = to_image(data)
        return None if image is None else _encode_preview(image)
    except Exception as error:  # a preview is optional; the upload stands without one
        logger.warning("No preview for a %s: %r", kind.label, error)
        return None


def pdf_page_count(data: bytes) -> int:
    """The number of pages of a PDF (one that opens: checked or made by us)."""
    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(data)
        try:
            return len(document)
        finally:
            document.close()


def _render_first_page(data: bytes) -> Image.Image:
    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(data)
        try:
            page = document[0]
            try:
                width, height = page.get_size()
                scale = min(PREVIEW_WIDTH / width, PREVIEW_MAX_HEIGHT / height)
                bitmap = page.render(scale=scale)
                try:
                    # convert() copies the pixels out of PDFium's buffer before it is freed.
                    return bitmap.to_pil().convert("RGB")
                finally:
                    bitmap.close()
            finally:
                page.close()
        finally:
            document.close()


def _open_image(data: bytes) -> Image.Image | None:
    with Image.open(io.BytesIO(data)) as image:
        if has_too_many_pixels(*image.size):
            logger.warning("No preview for an image of %dx%d pixels", *image.size)
            return None
        # The re-encoded preview loses EXIF, so apply its rotation to the pixels first.
        return ImageOps.exif_transpose(image)


def _encode_preview(image: Image.Image) -> bytes:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    image = image.convert("RGBA" if has_alpha else "RGB")
    image.thumbnail((PREVIEW_WIDTH, PREVIEW_MAX_HEIGHT))
    # Rebuilt from raw pixels so no metadata (EXIF, ICC, text chunks) can come along.
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    output = io.BytesIO()
    clean.save(output, format="PNG")
    return output.getvalue()


# --- The whole upload -----------------------------------------------------------------


@dataclass(frozen=True)
class PreparedFile:
    kind: FileKind
    sha256: str
    size: int
    filename: str
    text: str
    preview_sha: str | None
    derived: bool = True  # False: text and preview are still to be made (`derive`)


def prepare(data: bytes, filename: str, store: BlobStore) -> PreparedFile:
    """Check an upload, store it and its preview, and read its text. Raises FileRejected,
    with nothing stored, when the file isn't one we take."""
    stored = store_upload(data, filename, store)
    text, preview_sha = derive(stored.kind, data, store)
    return dataclasses.replace(stored, text=text, preview_sha=preview_sha, derived=True)


def store_upload(data: bytes, filename: str, store: BlobStore) -> PreparedFile:
    """Check an upload and store it, leaving its text and preview to `derive` (a job does it
    when there is a queue). Raises FileRejected, with nothing stored."""
    kind = sniff(data, filename)
    return PreparedFile(kind=kind, sha256=store.put(data), size=len(data), filename=safe_filename(filename),
                        text="", preview_sha=None, derived=False)


def derive(kind: FileKind, data: bytes, store: BlobStore) -> tuple[str, str | None]:
    """The file's searchable text, and its preview image stored (None if it has none)."""
    text, preview = extract_text(kind, data), make_preview(kind, data)
    return text, None if preview is None else store.put(preview)


# Invisible characters that could hide or reverse part of a name (e.g. U+202E).
