"""Uploaded files for the asset library: what they are, and whether they are whole.

Independent of Flask and the database. The type of a file comes from its bytes, never
from its name; the name only has to agree (house rule 12). Archives (Office files) are
inflated member by member against a budget before anything is accepted. Their text,
previews and storing them are in portal.assets.uploads.
"""

from __future__ import annotations

import enum
import io
import logging
import os
import re
import threading
import unicodedata
import zipfile
import zlib
from typing import NamedTuple

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
from PIL import Image

logger = logging.getLogger(__name__)

# What an Office file (a ZIP) may inflate to. Real documents are a few times their size;
# a zip bomb is hundreds or thousands of times. Counted while inflating, never taken from
# the archive's directory, which can say anything.
MAX_INFLATED_BYTES = 100 * 1024 * 1024
MAX_INFLATE_RATIO = 100  # inflated / stored bytes, once past RATIO_FLOOR_BYTES
RATIO_FLOOR_BYTES = 10 * 1024 * 1024
MAX_ZIP_ENTRIES = 5_000
MAX_ZIP_DEPTH = 2  # an Office file, and Office files embedded in it (a chart's workbook)
MAX_FILENAME_CHARS = 200
ACCEPTED = "Accepted: PDF, PNG, JPEG, DOCX, PPTX, XLSX, TXT, MD."

PDF_MARKER = b"%PDF-"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
ZIP_SIGNATURE = b"PK\x03\x04"

# PDFium is not thread-safe, not even across documents, and threaded workers share it.
PDFIUM_LOCK = threading.Lock()


class FileKind(enum.Enum):
    pdf = "pdf"
    png = "png"
    jpeg = "jpeg"
    docx = "docx"
    pptx = "pptx"
    xlsx = "xlsx"
    text = "text"
    markdown = "markdown"

    @property
    def mime(self) -> str:
        return _DETAILS[self].mime

    @property
    def extensions(self) -> tuple[str, ...]:
        return _DETAILS[self].extensions

    @property
    def label(self) -> str:
        return _DETAILS[self].label

    @property
    def is_image(self) -> bool:
        return self in (FileKind.png, FileKind.jpeg)


class _Details(NamedTuple):
    mime: str
    extensions: tuple[str, ...]
    label: str
    in_a_sentence: str


_OOXML = "application/vnd.openxmlformats-officedocument"
_DETAILS = {
    FileKind.pdf: _Details("application/pdf", (".pdf",), "PDF", "a PDF"),
    FileKind.png: _Details("image/png", (".png",), "PNG image", "a PNG image"),
    FileKind.jpeg: _Details("image/jpeg", (".jpg", ".jpeg"), "JPEG image", "a JPEG image"),
    FileKind.docx: _Details(f"{_OOXML}.wordprocessingml.document", (".docx",),
                            "Word document", "a Word document"),
    FileKind.pptx: _Details(f"{_OOXML}.presentationml.presentation", (".pptx",),
                            "PowerPoint presentation", "a PowerPoint presentation"),
    FileKind.xlsx: _Details(f"{_OOXML}.spreadsheetml.sheet", (".xlsx",),
                            "Excel workbook", "an Excel workbook"),
    FileKind.text: _Details("text/plain; charset=utf-8", (".txt",), "Text", "plain text"),
    FileKind.markdown: _Details("text/markdown; charset=utf-8", (".md", ".markdown"),
                                "Markdown", "Markdown"),
}
_TEXT_KINDS = (FileKind.text, FileKind.markdown)
_ALL_EXTENSIONS = frozenset(ext for details in _DETAILS.values() for ext in details.extensions)
_OFFICE_MAIN_PARTS = {
    FileKind.docx: "word/document.xml",
    FileKind.pptx: "ppt/presentation.xml",
    FileKind.xlsx: "xl/workbook.xml",
}


class FileRejected(ValueError):
    """An upload we won't take; the message is a clear sentence for the uploader."""


# --- What a file is -------------------------------------------------------------------


def sniff(data: bytes, filename: str) -> FileKind:
    """The kind of file `data` holds; FileRejected unless its name agrees and it opens."""
    if not data:
        raise FileRejected("This file is empty.")
    extension = _extension(filename)
    kind = _kind_from_content(data, extension)
    if extension not in kind.extensions:
        raise FileRejected(_mismatch_message(kind, extension))
    _check_intact(kind, data)
    return kind


def _extension(filename: str) -> str:
    return os.path.splitext(safe_filename(filename))[1].lower()


def _kind_from_content(data: bytes, extension: str) -> FileKind:
    if PDF_MARKER in data[:1024]:
        return FileKind.pdf
    if data.startswith(PNG_SIGNATURE):
        return FileKind.png
    if data.startswith(JPEG_SIGNATURE):
        return FileKind.jpeg
    if data.startswith(ZIP_SIGNATURE):
        return _office_kind(data)
    if _is_utf8_text(data):
        return _text_kind(extension)
    if extension in FileKind.text.extensions + FileKind.markdown.extensions:
        raise FileRejected("This text file isn't UTF-8. Save it as UTF-8 and upload it again.")
    raise _unknown_type("its content isn't a type we accept")


def _office_kind(data: bytes) -> FileKind:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise FileRejected("This ZIP file is damaged and can't be opened.") from None
    for kind, main_part in _OFFICE_MAIN_PARTS.items():
        if main_part in names:
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise FileRejected(f"This {kind.label} contains macros, which we don't accept. "
                                   f"Save it without macros as {kind.extensions[0]}.")
            return kind
    raise _unknown_type("it's a ZIP archive, not a Word, PowerPoint or Excel file")


def _is_utf8_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True


def _text_kind(extension: str) -> FileKind:
    """Text content says nothing of Markdown versus plain text, so the name decides."""
    for kind in _TEXT_KINDS:
        if extension in kind.extensions:
            return kind
    if extension and extension not in _ALL_EXTENSIONS:
        raise _unknown_type(f"{extension} files aren't accepted")
    return FileKind.text  # the caller reports the name that doesn't match


def _unknown_type(reason: str) -> FileRejected:
    return FileRejected(f"We can't use this file: {reason}. {ACCEPTED}")


def _mismatch_message(kind: FileKind, extension: str) -> str:
    content = f"This file's content is {_DETAILS[kind].in_a_sentence}"
    name = f"its name ends in {extension}" if extension else "its name has no extension"
    advice = f"Rename it to end in {kind.extensions[0]}, or upload the file you meant."
    return f"{content}, but {name}. {advice}"


def _check_intact(kind: FileKind, data: bytes) -> None:
    if kind is FileKind.pdf:
        _check_pdf_opens(data)
    elif kind.is_image:
        _check_image_verifies(kind, data)
    elif kind in _OFFICE_MAIN_PARTS:
        _check_archive(kind, data, budget=_InflateBudget(len(data)))


class _InflateBudget:
    """The bytes all members of an upload (nested archives included) may inflate to."""

    def __init__(self, stored: int) -> None:
        self.stored, self.inflated = stored, 0

    def spend(self, count: int) -> bool:
        """Count `count` more inflated bytes; False once past the limits."""
        self.inflated += count
        if self.inflated > MAX_INFLATED_BYTES:
            return False
        return self.inflated <= RATIO_FLOOR_BYTES or self.inflated <= MAX_INFLATE_RATIO * self.stored


def _check_archive(kind: FileKind, data: bytes, budget: _InflateBudget, depth: int = 1) -> None:
    """Refuse a ZIP that is a bomb or lies: too many entries, unsafe or repeated names,
    members that overlap or inflate to other sizes than the directory says, other
    compression than deflate, encryption, or nesting deeper than MAX_ZIP_DEPTH."""
    corrupt = FileRejected(f"This {kind.label} is damaged: its parts don't match its table of contents. "
                           "Save it again from Office and upload the new file.")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
    if len(members) > MAX_ZIP_ENTRIES:
        raise FileRejected(f"This {kind.label} has {len(members):,} parts; we accept at most {MAX_ZIP_ENTRIES:,}.")
    names = [member.filename for member in members]
    if len(set(names)) != len(names) or not all(map(_is_safe_member_name, names)):
        raise corrupt
    end = len(data)
    # From the last member back: each one's data must end where the next one starts.
    for member in sorted(members, key=lambda member: member.header_offset, reverse=True):
        content = _MemberContent(kind, budget)
        _read_member(data, member, end, content, corrupt)
        end = member.header_offset
        if content.nested is not None:
            if depth >= MAX_ZIP_DEPTH:
                raise FileRejected(f"This {kind.label} holds archives inside archives, which we don't accept.")
            _check_archive(kind, b"".join(content.nested), budget, depth + 1)


def _is_safe_member_name(name: str) -> bool:
    parts = name.split("/")
    return (bool(name) and "\\" not in name and "\x00" not in name and not name.startswith("/")
            and ":" not in parts[0] and ".." not in parts)


class _MemberContent:
    """What one member inflates to, counted as it comes: size and CRC, and the bytes
    themselves only when it is a ZIP too (checked next)."""

    def __init__(self, kind: FileKind, budget: _InflateBudget) -> None:
        self.kind, self.budget = kind, budget
        self.size, self.crc = 0, 0
        self.nested: list[bytes] | None = None

    def add(self, chunk: bytes) -> None:
        if not self.budget.spend(len(chunk)):
            raise _too_big(self.kind)
        if self.size == 0 and chunk.startswith(ZIP_SIGNATURE):
            self.nested = []
        if self.nested is not None:
            self.nested.append(chunk)
        self.size += len(chunk)
        self.crc = zlib.crc32(chunk, self.crc)


def _read_member(data: bytes, member: zipfile.ZipInfo, end: int, content: _MemberContent,
                 corrupt: FileRejected) -> None:
    """Inflate one member from its local header (its data must end by `end`), into
    `content`; `corrupt` when it is not what the directory says."""
    start = member.header_offset
    header = data[start:start + 30]
    if len(header) < 30 or header[:4] != ZIP_SIGNATURE or member.flag_bits & 0x1:  # 0x1: encrypted
        raise corrupt
    name_length, extra_length = int.from_bytes(header[26:28], "little"), int.from_bytes(header[28:30], "little")
    local_name = data[start + 30:start + 30 + name_length].decode(
        "utf-8" if member.flag_bits & 0x800 else "cp437", "replace")
    if local_name != member.filename:
        raise corrupt  # readers that go by the local headers would see another file
    offset = start + 30 + name_length + extra_length
    if member.compress_type == zipfile.ZIP_STORED:
        consumed = min(member.compress_size, max(end - offset, 0))
        content.add(data[offset:offset + consumed])
    elif member.compress_type == zipfile.ZIP_DEFLATED:
        consumed = _inflate(data[offset:end], content, corrupt)
    else:
        raise corrupt  # Office writes deflate; anything else is not an Office file we know
    if consumed != member.compress_size or content.size != member.file_size or content.crc != member.CRC:
        raise corrupt


def _inflate(stream: bytes, content: _MemberContent, corrupt: FileRejected) -> int:
    """Raw deflate to the stream's own end (not to a size the directory claims), a chunk
    at a time; the number of compressed bytes it took."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    pending = stream
    try:
        while not inflater.eof:
            chunk = inflater.decompress(pending, 1024 * 1024)
            pending = inflater.unconsumed_tail
            if not chunk and not pending and not inflater.eof:
                raise corrupt  # the stream stops before its end
            content.add(chunk)
    except zlib.error:
        raise corrupt from None
    return len(stream) - len(inflater.unused_data)


def _too_big(kind: FileKind) -> FileRejected:
    return FileRejected(f"This {kind.label} unpacks to far more than its size (over "
                        f"{MAX_INFLATED_BYTES // (1024 * 1024)} MB, or {MAX_INFLATE_RATIO} times itself): "
                        "it looks like a zip bomb, so we don't accept it.")


def _check_pdf_opens(data: bytes) -> None:
    with PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as error:
            if error.err_code == pdfium_raw.FPDF_ERR_PASSWORD:
                raise FileRejected("This PDF is password-protected. "
                                   "Upload a copy without a password.") from None
            raise FileRejected("This PDF is damaged and can't be opened.") from None
        try:
            page_count = len(document)
        finally:
            document.close()
    if page_count == 0:
        raise FileRejected("This PDF has no pages.")


def _check_image_verifies(kind: FileKind, data: bytes) -> None:
    too_large = FileRejected(f"This {kind.label} has too many pixels for us to use.")
    try:
        with Image.open(io.BytesIO(data), formats=[kind.value.upper()]) as image:
            width, height = image.size
            image.verify()
    # The warning arrives as an exception where warnings are errors (as under pytest).
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large from None
    except Exception:  # Pillow reports damage through many exception types
        raise FileRejected(f"This {kind.label} is damaged and can't be opened.") from None
    if has_too_many_pixels(width, height):
        raise too_large
    if kind is FileKind.jpeg and not jpeg_is_complete(data):
        raise FileRejected(f"This {kind.label} is damaged or incomplete and can't be opened.")


def jpeg_is_complete(data: bytes) -> bool:
    """Does this JPEG run from its start marker to its end-of-image marker (EOI)?

    Decoding alone can't tell: importing WeasyPrint sets Pillow's process-wide
    ImageFile.LOAD_TRUNCATED_IMAGES, after which Pillow pads a truncated JPEG with grey
    instead of failing. Bytes after EOI (some cameras add trailers) are allowed."""
    index, end = 2, len(data)
    while index + 1 < end:
        if data[index] != 0xFF:
            return False
        marker = data[index + 1]
        if marker == 0xFF:  # fill byte before a marker
            index += 1
        elif marker == 0xD9:  # EOI
            return True
        elif marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            index += 2
        else:
            if index + 4 > end:
                return False
            length = int.from_bytes(data[index + 2:index + 4], "big")
            if length < 2:
                return False
            index += 2 + length
            if marker == 0xDA:  # start of scan: entropy-coded data runs to the next real marker
                index = _next_marker(data, index)
    return False


def _next_marker(data: bytes, index: int) -> int:
    """The position of the next marker: 0xFF followed by neither 0x00 (an escaped 0xFF in
    the data) nor a restart marker (0xD0-0xD7, part of the scan). len(data) if none."""
    while (index := data.find(b"\xff", index)) != -1 and index + 1 < len(data):
        follower = data[index + 1]
        if follower != 0x00 and not 0xD0 <= follower <= 0xD7:
            return index
        index += 2
    return len(data)


def has_too_many_pixels(width: int, height: int) -> bool:
    return Image.MAX_IMAGE_PIXELS is not None and width * height > Image.MAX_IMAGE_PIXELS


_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def safe_filename(filename: str) -> str:
    """The base name only, without control or invisible characters, at most
    MAX_FILENAME_CHARS long and keeping its extension when shortened."""
    name = unicodedata.normalize("NFC", re.split(r"[/\\]", filename)[-1])
    name = "".join(char for char in name if unicodedata.category(char) not in _UNSAFE_CATEGORIES)
    name = name.strip(" .")
    if len(name) <= MAX_FILENAME_CHARS:
        return name
    stem, extension = os.path.splitext(name)
    if len(extension) >= MAX_FILENAME_CHARS:
        return name[:MAX_FILENAME_CHARS]
    return stem[: MAX_FILENAME_CHARS - len(extension)] + extension
