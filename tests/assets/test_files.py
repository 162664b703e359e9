"""Uploaded files: sniffing from bytes, text, previews, and prepare() storing them.

Every fixture is a real file made by the library that writes that format."""

import hashlib
import io
import warnings
import zipfile

import docx
import openpyxl
import pptx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms, ImageFile, PngImagePlugin
from weasyprint import HTML

from portal.assets import files
from portal.assets.files import FileKind, FileRejected, sniff
from portal.assets.uploads import MAX_TEXT_CHARS, PREVIEW_WIDTH, extract_text, make_preview, prepare
from portal.storage import LocalBlobStore, read

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EXIF_ORIENTATION = 0x0112
EXIF_ARTIST = 0x013B


# --- Fixture files ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf_bytes():
    return HTML(string="<h1>Zebra pricing battlecard</h1>"
                       "<p style='break-before: page'>Falcon onboarding checklist</p>").write_pdf()


@pytest.fixture(scope="module")
def png_bytes():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret-png-comment")
    return image_bytes(Image.new("RGB", (1200, 300), "navy"), "PNG", pnginfo=info)


@pytest.fixture(scope="module")
def jpeg_bytes():
    """800x400 pixels, with an ICC profile and EXIF saying: show it turned 90 degrees clockwise."""
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = 6
    exif[EXIF_ARTIST] = "secret-photographer"
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return image_bytes(Image.new("RGB", (800, 400), "red"), "JPEG", exif=exif, icc_profile=srgb)


@pytest.fixture(scope="module")
def docx_bytes():
    document = docx.Document()
    document.add_paragraph("Quarterly zebra report")
    document.add_paragraph("Second paragraph mentions falcon")
    return saved(document)


@pytest.fixture(scope="module")
def pptx_bytes():
    """Slides made as "Alpha", "Bravo", then moved so that Bravo is shown first."""
    presentation = pptx.Presentation()
    for title in ("Alpha opening slide", "Bravo closing slide"):
        slide = presentation.slides.add_slide(presentation.slide_layouts[5])
        slide.shapes.title.text = title
    slide_ids = presentation.slides._sldIdLst
    bravo = list(slide_ids)[1]
    slide_ids.remove(bravo)
    slide_ids.insert(0, bravo)
    return saved(presentation)


@pytest.fixture(scope="module")
def xlsx_bytes():
    """openpyxl writes inline strings; a shared-strings part is added like Excel's."""
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Pipeline heron forecast"
    workbook.active["B2"] = 42
    workbook.create_sheet("Second")["A1"] = "Regional otter targets"
    shared = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              b"<si><t>Shared lynx label</t></si></sst>")
    return rezip(saved(workbook), {"xl/sharedStrings.xml": shared})


TEXT_BYTES = "\ufeffPlain   walrus\tnotes\r\n\r\n\r\n\r\nlast line".encode()
MARKDOWN_BYTES = "# Heading\n\nMarkdown *pelican* guide — café".encode()


def image_bytes(image, image_format, **options):
    output = io.BytesIO()
    image.save(output, image_format, **options)
    return output.getvalue()


def saved(document):
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def rezip(zip_bytes, changes):
    """A copy of the archive with members replaced or added."""
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as source, \
            zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            if name not in changes:
                target.writestr(name, source.read(name))
        for name, data in changes.items():
            target.writestr(name, data)
    return output.getvalue()


def zip_of(members):
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return output.getvalue()


def stored_files(store):
    return sorted(blob.id for blob in store.iter_blobs())


@pytest.fixture
def store(tmp_path):
    return LocalBlobStore(tmp_path / "blobs")


@pytest.fixture
def fixture_file(request):
    """Look up a fixture file by kind name, so parametrized tests can name them."""
    def file_of(kind):
        if kind is FileKind.text:
            return TEXT_BYTES
        if kind is FileKind.markdown:
            return MARKDOWN_BYTES
        return request.getfixturevalue(f"{kind.value}_bytes")
    return file_of


# --- FileKind ---------------------------------------------------------------------------


def test_kinds_describe_themselves():
    assert FileKind.pdf.value == "pdf"
    assert FileKind.pdf.mime == "application/pdf"
    assert FileKind.docx.mime == \
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert FileKind.pptx.mime == \
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    assert FileKind.xlsx.mime == \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert FileKind.markdown.mime == "text/markdown; charset=utf-8"
    assert FileKind.text.mime == "text/plain; charset=utf-8"
    assert FileKind.jpeg.extensions == (".jpg", ".jpeg")
    assert FileKind.markdown.extensions == (".md", ".markdown")
    assert FileKind.pptx.label == "PowerPoint presentation"
    assert [kind for kind in FileKind if kind.is_image] == [FileKind.png, FileKind.jpeg]


# --- sniff ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind, filename", [
    (FileKind.pdf, "deck.pdf"),
    (FileKind.pdf, "DECK.PDF"),
    (FileKind.png, "logo.png"),
    (FileKind.jpeg, "photo.jpg"),
    (FileKind.jpeg, "photo.jpeg"),
    (FileKind.docx, "brief.docx"),
    (FileKind.pptx, "pitch.pptx"),
    (FileKind.xlsx, "targets.xlsx"),
    (FileKind.text, "notes.txt"),
    (FileKind.markdown, "guide.md"),
    (FileKind.markdown, "guide.markdown"),
])
def test_sniff_recognises_each_kind_from_its_bytes(fixture_file, kind, filename):
    assert sniff(fixture_file(kind), filename) is kind


def test_html_in_a_txt_file_is_plain_text():
    assert sniff(b"<html><body>Hello</body></html>", "page.txt") is FileKind.text


@pytest.mark.parametrize("content_kind, filename, content, name_part", [
    (FileKind.png, "logo.pdf", "a PNG image", "ends in .pdf"),
    (FileKind.pdf, "deck.png", "a PDF", "ends in .png"),
    (FileKind.docx, "brief.xlsx", "a Word document", "ends in .xlsx"),
    (FileKind.xlsx, "targets.gif", "an Excel workbook", "ends in .gif"),
    (FileKind.pdf, "deck", "a PDF", "has no extension"),
    (FileKind.text, "notes.pdf", "plain text", "ends in .pdf"),
])
def test_a_name_that_disagrees_with_the_content_is_rejected(fixture_file, content_kind,
                                                            filename, content, name_part):
    with pytest.raises(FileRejected) as rejected:
        sniff(fixture_file(content_kind), filename)
    assert f"This file's content is {content}, but its name {name_part}." in str(rejected.value)


def test_the_mismatch_message_for_a_png_named_pdf_reads_well(png_bytes):
    with pytest.raises(FileRejected, match=r"^This file's content is a PNG image, but its name "
                                           r"ends in \.pdf\. Rename it to end in \.png"):
        sniff(png_bytes, "logo.pdf")


def truncated(data):
    return data[: len(data) // 2]


ACCEPTED = "Accepted: PDF, PNG, JPEG, DOCX, PPTX, XLSX, TXT, MD."
ELF_EXECUTABLE = b"\x7fELF\x02\x01\x01\x00" + bytes(56) + b"\x00\x00payload"
WINDOWS_EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(48)
NOT_OFFICE_ZIP = {"readme.txt": b"hello", "word/other.xml": b"<x/>"}
WORD_NAMESPACE = b"http://schemas.openxmlformats.org/wordprocessingml/2006/main"
ENTITY_EXPANSION = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
                    b'<w:document xmlns:w="' + WORD_NAMESPACE + b'">'
                    b"<w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>")


@pytest.mark.parametrize("make_data, filename, message", [
    (lambda files: b"", "empty.pdf", "This file is empty."),
    (lambda files: ELF_EXECUTABLE, "deck.pdf", f"We can't use this file: its content isn't a "
                                               f"type we accept. {ACCEPTED}"),
    (lambda files: WINDOWS_EXECUTABLE, "brief.docx", "its content isn't a type we accept"),
    (lambda files: b"<html><script>alert(1)</script></html>", "page.html",
     f"We can't use this file: .html files aren't accepted. {ACCEPTED}"),
    (lambda files: b'<svg xmlns="http://www.w3.org/2000/svg"/>', "logo.svg",
     ".svg files aren't accepted"),
    (lambda files: zip_of(NOT_OFFICE_ZIP), "brief.docx",
     "it's a ZIP archive, not a Word, PowerPoint or Excel file"),
    (lambda files: b"PK\x03\x04" + bytes(100), "brief.docx", "This ZIP file is damaged"),
    (lambda files: truncated(files(FileKind.pdf)), "deck.pdf", "This PDF is damaged"),
    (lambda files: truncated(files(FileKind.png)), "logo.png", "This PNG image is damaged"),
    (lambda files: "Café menu".encode("latin-1"), "menu.txt", "isn't UTF-8"),
    (lambda files: rezip(files(FileKind.docx), {"word/vbaProject.bin": b"macro"}), "brief.docx",
     "This Word document contains macros"),
])
def test_unusable_files_are_rejected_and_nothing_is_stored(fixture_file, store, make_data,
                                                           filename, message):
    with pytest.raises(FileRejected) as rejected:
        prepare(make_data(fixture_file), filename, store)
    assert message in str(rejected.value)
    assert stored_files(store) == []


def test_an_image_with_too_many_pixels_is_rejected(png_bytes, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # Pillow itself refuses past twice this
    with pytest.raises(FileRejected, match="too many pixels"):
        sniff(png_bytes, "logo.png")
    assert make_preview(FileKind.png, png_bytes) is None


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_an_image_just_over_the_pixel_limit_is_rejected_where_pillow_only_warns(png_bytes,
                                                                               monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1200 * 300 - 1)
    with pytest.raises(FileRejected, match="too many pixels"):
        sniff(png_bytes, "logo.png")
    assert make_preview(FileKind.png, png_bytes) is None


SIGNATURES = [b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"PK\x03\x04", b""]


@settings(max_examples=150, deadline=None)
@given(prefix=st.sampled_from(SIGNATURES), rest=st.binary(max_size=300),
       filename=st.sampled_from(["a.pdf", "a.png", "a.jpg", "a.docx", "a.txt", "a.md", "a"]))
def test_sniff_answers_arbitrary_bytes_with_a_kind_or_a_rejection(prefix, rest, filename):
    try:
        kind = sniff(prefix + rest, filename)
    except FileRejected as rejected:
        assert str(rejected).endswith(".")
    else:
        assert isinstance(kind, FileKind)


# --- extract_text -----------------------------------------------------------------------


@pytest.mark.parametrize("kind, words", [
    (FileKind.pdf, ["Zebra pricing battlecard", "Falcon onboarding checklist"]),
    (FileKind.docx, ["Quarterly zebra report\nSecond paragraph mentions falcon"]),
    (FileKind.xlsx, ["Pipeline heron forecast", "Regional otter targets", "Shared lynx label"]),
    (FileKind.markdown, ["Heading\nMarkdown pelican guide — café"]),  # what a reader sees, without the marks
])
def test_extracted_text_holds_the_words_of_each_format(fixture_file, kind, words):
    text = extract_text(kind, fixture_file(kind))
    for phrase in words:
        assert phrase in text


def test_markdown_text_is_what_a_reader_sees():
    source = ("Tape vs. Backup\n==============\n\n_Win the **recovery**._ See [the guide](https://x.example/g).\n\n"
              "## Steps\n\n- `restore`\n- ![diagram of a vault](v.png)\n")
    assert extract_text(FileKind.markdown, source.encode()) == (
        "Tape vs. Backup\nWin the recovery. See the guide.\nSteps\nrestore\n\ndiagram of a vault")


def test_a_pdf_line_end_hyphen_is_a_hyphen_not_a_noncharacter(app):
    from portal.pdf import render_pdf
    from portal.storage import current_store

    html = '<p style="width: 2.2cm; hyphens: manual">on-premises systems on-premises systems</p>'
    with app.app_context():
        text = extract_text(FileKind.pdf, render_pdf(html, store=current_store()))
    assert "\ufffe" not in text and "on-premises" in text.replace("\n", "")


def test_pptx_text_follows_the_slide_order_not_the_file_names(pptx_bytes):
    text = extract_text(FileKind.pptx, pptx_bytes)
    assert text.index("Bravo closing slide") < text.index("Alpha opening slide")


def test_whitespace_is_collapsed_and_the_bom_dropped():
    assert extract_text(FileKind.text, TEXT_BYTES) == "Plain walrus notes\n\nlast line"


@pytest.mark.parametrize("kind", [FileKind.png, FileKind.jpeg])
def test_images_have_no_text(fixture_file, kind):
    assert extract_text(kind, fixture_file(kind)) == ""


def test_text_is_capped():
    text = extract_text(FileKind.text, b"word " * (MAX_TEXT_CHARS // 2))
    assert len(text) == MAX_TEXT_CHARS


def test_an_oversized_part_is_skipped_and_the_rest_still_read(xlsx_bytes):
    bomb = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + b" " * (21 * 1024 * 1024)
            + b'<sheetData><row><c t="inlineStr"><is><t>bombword</t></is></c></row></sheetData>'
            b"</worksheet>")
    data = rezip(xlsx_bytes, {"xl/worksheets/sheet9.xml": bomb})
    text = extract_text(FileKind.xlsx, data)
    assert "bombword" not in text
    assert "Pipeline heron forecast" in text


def test_a_damaged_part_is_skipped_and_the_others_still_read(pptx_bytes, caplog):
    data = rezip(pptx_bytes, {"ppt/slides/slide2.xml": b"<p:sld><unclosed"})
    assert sniff(data, "pitch.pptx") is FileKind.pptx
    assert extract_text(FileKind.pptx, data) == "Alpha opening slide"
    assert "ppt/slides/slide2.xml" in caplog.text


def test_a_part_with_a_dtd_is_not_read(docx_bytes):
    data = rezip(docx_bytes, {"word/document.xml": ENTITY_EXPANSION})
    assert extract_text(FileKind.docx, data) == ""


# --- make_preview -----------------------------------------------------------------------


def preview_image(preview):
    assert preview.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(preview))
    image.load()
    return image


def test_a_pdf_preview_is_its_first_page_as_a_png(pdf_bytes):
    image = preview_image(make_preview(FileKind.pdf, pdf_bytes))
    assert PREVIEW_WIDTH - 2 <= image.width <= PREVIEW_WIDTH
    assert image.height > image.width  # an A4 page, portrait


def test_an_image_preview_is_scaled_down_and_stripped_of_metadata(png_bytes):
    image = preview_image(make_preview(FileKind.png, png_bytes))
    assert image.size == (PREVIEW_WIDTH, 160)
    assert "Comment" not in image.info


def test_a_jpeg_preview_is_turned_upright_and_loses_its_metadata(jpeg_bytes):
    image = preview_image(make_preview(FileKind.jpeg, jpeg_bytes))
    assert image.size == (400, 800)
    assert dict(image.getexif()) == {}
    assert "icc_profile" not in image.info
    assert b"secret-photographer" not in make_preview(FileKind.jpeg, jpeg_bytes)


def test_a_small_image_is_not_enlarged():
    small = image_bytes(Image.new("RGBA", (100, 50), (0, 0, 0, 0)), "PNG")
    image = preview_image(make_preview(FileKind.png, small))
    assert (image.size, image.mode) == ((100, 50), "RGBA")


@pytest.mark.parametrize("kind", [FileKind.docx, FileKind.pptx, FileKind.xlsx, FileKind.text,
                                  FileKind.markdown])
def test_other_kinds_have_no_preview(fixture_file, kind):
    assert make_preview(kind, fixture_file(kind)) is None


def test_a_broken_image_gets_no_preview_instead_of_an_error(jpeg_bytes, caplog):
    assert make_preview(FileKind.jpeg, jpeg_bytes[:200]) is None
    assert "No preview" in caplog.text


# --- prepare ----------------------------------------------------------------------------


def test_prepare_stores_a_pdf_its_preview_and_reads_its_text(pdf_bytes, store):
    prepared = prepare(pdf_bytes, "Q3 deck.pdf", store)
    assert prepared.kind is FileKind.pdf
    assert prepared.sha256 == hashlib.sha256(pdf_bytes).hexdigest()
    assert prepared.size == len(pdf_bytes)
    assert prepared.filename == "Q3 deck.pdf"
    assert "Zebra pricing battlecard" in prepared.text
    assert read(store, prepared.sha256) == pdf_bytes
    assert preview_image(read(store, prepared.preview_sha)).width <= PREVIEW_WIDTH
    assert len(stored_files(store)) == 2


def test_prepare_leaves_no_preview_for_a_document(docx_bytes, store):
    prepared = prepare(docx_bytes, "brief.docx", store)
    assert prepared.preview_sha is None
    assert stored_files(store) == [prepared.sha256]


@pytest.mark.parametrize("filename, expected", [
    ("C:\\Users\\me\\Desktop\\brief.docx", "brief.docx"),
    ("../../etc/brief.docx", "brief.docx"),
    ("br\x00ief\u202e\n.docx", "brief.docx"),
    ("x" * 300 + ".docx", "x" * 195 + ".docx"),
])
def test_prepare_keeps_a_safe_base_name(docx_bytes, store, filename, expected):
    assert prepare(docx_bytes, filename, store).filename == expected


# --- zip bombs and archives that lie --------------------------------------------------------


def bomb_docx(docx_bytes, inflated: int, name: str = "word/document.xml") -> bytes:
    """A copy of a Word document whose part `name` inflates to `inflated` bytes (written a
    MiB at a time, so the test never holds it)."""
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as source, \
            zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.namelist():
            if member != name:
                target.writestr(member, source.read(member))
        with target.open(name, "w") as part:
            part.write(b"<w:document>")
            for _ in range(inflated // (1024 * 1024)):
                part.write(b" " * (1024 * 1024))
    return output.getvalue()


def patch_central_directory(data: bytes, member: str, **fields: int) -> bytes:
    """The archive with fields of one central directory entry overwritten (what a forged
    file says about itself): compress_size, file_size or header_offset."""
    offsets = {"compress_size": 20, "file_size": 24, "header_offset": 42}
    data = bytearray(data)
    entry = data.index(b"PK\x01\x02")
    while True:
        name_length = int.from_bytes(data[entry + 28:entry + 30], "little")
        if data[entry + 46:entry + 46 + name_length].decode() == member:
            break
        entry = data.index(b"PK\x01\x02", entry + 46)
    for field, value in fields.items():
        data[entry + offsets[field]:entry + offsets[field] + 4] = value.to_bytes(4, "little")
    return bytes(data)


def central_entry(data: bytes, member: str) -> zipfile.ZipInfo:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.getinfo(member)


def assert_refused(data: bytes, filename: str, message: str, store) -> None:
    with pytest.raises(FileRejected, match=message):
        prepare(data, filename, store)
    assert stored_files(store) == []


def test_a_zip_bomb_docx_is_refused_and_nothing_is_stored(docx_bytes, store):
    data = bomb_docx(docx_bytes, 200 * 1024 * 1024)  # 200 MiB of document.xml
    assert len(data) < 300 * 1024
    assert_refused(data, "brief.docx", "looks like a zip bomb", store)


def test_a_modest_ratio_bomb_is_refused_too(docx_bytes, store):
    data = bomb_docx(docx_bytes, 12 * 1024 * 1024)  # under the size cap, but 1000 times its size
    assert_refused(data, "brief.docx", "looks like a zip bomb", store)


def test_the_size_cap_counts_every_part(docx_bytes, store, monkeypatch):
    monkeypatch.setattr(files, "MAX_INFLATED_BYTES", 1000)
    assert_refused(docx_bytes, "brief.docx", "looks like a zip bomb", store)


@pytest.mark.parametrize("fields", [
    {"file_size": 100},           # says document.xml is small; it inflates to more
    {"compress_size": 50},        # says its data is short; the stream runs on
    {"file_size": 10 ** 9},       # says it is huge; it is not
])
def test_a_central_directory_that_lies_about_sizes_is_refused(docx_bytes, store, fields):
    data = patch_central_directory(docx_bytes, "word/document.xml", **fields)
    assert_refused(data, "brief.docx", "damaged: its parts don't match its table of contents", store)


def test_entries_that_share_their_data_are_refused(docx_bytes, store):
    shared = central_entry(docx_bytes, "word/document.xml").header_offset
    data = patch_central_directory(docx_bytes, "word/styles.xml", header_offset=shared)
    assert_refused(data, "brief.docx", "damaged", store)


@pytest.mark.parametrize("name", ["../evil.xml", "/etc/evil.xml", "C:/evil.xml", "word\\..\\evil.xml",
                                  "word/../../evil.xml"])
def test_unsafe_part_names_are_refused(docx_bytes, store, name):
    assert_refused(rezip(docx_bytes, {name: b"<x/>"}), "brief.docx", "damaged", store)


def test_a_repeated_part_name_is_refused(docx_bytes, store):
    output = io.BytesIO(docx_bytes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate it is told to write
        with zipfile.ZipFile(output, "a") as archive:
            archive.writestr("word/document.xml", b"<w:document>another</w:document>")
    assert_refused(output.getvalue(), "brief.docx", "damaged", store)


def test_too_many_parts_are_refused(docx_bytes, store):
    parts = {f"customXml/item{n}.xml": b"<x/>" for n in range(files.MAX_ZIP_ENTRIES)}
    assert_refused(rezip(docx_bytes, parts), "brief.docx", "we accept at most 5,000", store)


def test_one_embedded_office_file_is_fine_but_not_archives_in_archives(docx_bytes, xlsx_bytes, store, tmp_path):
    chart = rezip(docx_bytes, {"word/embeddings/Microsoft_Excel_Worksheet.xlsx": xlsx_bytes})
    assert prepare(chart, "brief.docx", store).kind is FileKind.docx
    deeper = rezip(docx_bytes, {"word/embeddings/inner.docx": chart})
    assert_refused(deeper, "deeper.docx", "archives inside archives", LocalBlobStore(tmp_path / "other"))


def test_a_bomb_inside_an_embedded_file_counts_against_the_upload(docx_bytes, store):
    inner = bomb_docx(docx_bytes, 12 * 1024 * 1024)
    assert_refused(rezip(docx_bytes, {"word/embeddings/inner.docx": inner}), "brief.docx", "zip bomb", store)


def test_only_deflate_or_stored_parts_are_accepted(docx_bytes, store):
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as source, \
            zipfile.ZipFile(output, "w", zipfile.ZIP_BZIP2) as target:
        for name in source.namelist():
            target.writestr(name, source.read(name))
    assert_refused(output.getvalue(), "brief.docx", "damaged", store)
    stored = zip_of({name: data for name, data in zipfile_members(docx_bytes)})  # ZIP_STORED
    assert prepare(stored, "brief.docx", store).kind is FileKind.docx


def zipfile_members(data: bytes):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(name, archive.read(name)) for name in archive.namelist()]


def test_a_truncated_jpeg_is_refused_even_with_pillow_padding_truncated_images(jpeg_bytes, store, monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)  # what importing WeasyPrint does
    assert_refused(truncated(jpeg_bytes), "photo.jpg", "This JPEG image is damaged", store)
    assert prepare(jpeg_bytes + b"trailer", "photo.jpg", store).kind is FileKind.jpeg  # bytes after EOI are fine
