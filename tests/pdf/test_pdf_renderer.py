"""The one PDF renderer: only our own static files and stored blobs can get into a PDF,
nothing reaches the network or the disk otherwise, and a slow or crashing render fails
cleanly with a message a user may read."""
import base64
import io
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pypdf
import pytest
from jinja2 import Environment
from PIL import Image

from portal import pdf
from recorder import server  # noqa: F401  (a fixture)
from portal.pdf import BLOB_URL, STATIC_URL, Refused, RenderFailed, fetch, render_pdf
from portal.storage import LocalBlobStore

LOGO_COLOUR = (220, 20, 60)
PAGE = "@page { size: 300px 300px; margin: 0 } body { margin: 0 }"
STATIC_CSS = "portal-static:css/portal.css"


def png(colour=LOGO_COLOUR, size=(60, 60)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, colour).save(output, format="PNG")
    return output.getvalue()


def jpeg() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (8, 8), LOGO_COLOUR).save(output, format="JPEG")
    return output.getvalue()


@pytest.fixture
def store(tmp_path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "files")


@pytest.fixture
def logo_sha(store) -> str:
    return store.put(png())


def text_of(data: bytes) -> str:
    """All the text of a PDF, whitespace removed (line breaks fall anywhere)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def image_count(data: bytes) -> int:
    return sum(len(page.images) for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def attachments_in(data: bytes) -> list:
    """Embedded files: the document's own, and those of file attachment annotations."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    annotations = [annotation.get_object() for page in reader.pages
                   for annotation in page.get("/Annots") or []]
    return list(reader.attachments) + [annotation for annotation in annotations
                                       if annotation.get("/Subtype") == "/FileAttachment"]


def first_page_pixels(data: bytes, tmp_path: Path) -> Image.Image:
    """Page 1 at 96 dpi, so one CSS pixel is one image pixel."""
    source = tmp_path / "page.pdf"
    source.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "96", "-f", "1", "-l", "1", "-singlefile",
                    str(source), str(tmp_path / "page")], check=True)
    with Image.open(tmp_path / "page.png") as image:
        return image.convert("RGB")


def close_to(actual, expected, tolerance=6) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(actual, expected))


def portal_css_background() -> tuple[int, int, int]:
    css = (pdf.STATIC_ROOT / "css" / "portal.css").read_text()
    hex_colour = re.search(r"--bg:\s*#([0-9a-fA-F]{6})", css).group(1)
    return tuple(int(hex_colour[i:i + 2], 16) for i in (0, 2, 4))


# --- The fetcher's rules ----------------------------------------------------------------


def test_serves_static_files_with_their_type(store):
    data, mime = fetch(STATIC_URL + "css/portal.css", store)
    assert data == (pdf.STATIC_ROOT / "css" / "portal.css").read_bytes()
    assert mime.startswith("text/css")


def test_serves_stored_images_typed_from_their_bytes(store):
    assert fetch(BLOB_URL + store.put(png()), store) == (png(), "image/png")
    assert fetch(BLOB_URL + store.put(jpeg()), store) == (jpeg(), "image/jpeg")


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "FILE:///etc/passwd",
    "http://127.0.0.1/",
    "https://example.com/logo.png",
    "ftp://127.0.0.1/logo.png",
    "data:text/css,body{color:red}",
    "data:image/png;base64,iVBORw0KGgo=",
    "css/portal.css",  # relative: there is no base URL
    "../portal/static/css/portal.css",
    "/etc/passwd",
    "//127.0.0.1/x.png",
    STATIC_URL + "../pdf.py",
    STATIC_URL + "css/../../pdf.py",
    STATIC_URL + "css/../portal.css",
    STATIC_URL + "/etc/passwd",
    STATIC_URL + "//etc/passwd",
    STATIC_URL + "css\\portal.css",
    STATIC_URL + "%2e%2e/pdf.py",
    STATIC_URL + "css/portal.css?v=1",
    STATIC_URL + "css/.hidden.css",
    STATIC_URL + "css/missing.css",
    STATIC_URL + "css",  # a folder
    STATIC_URL + "js/htmx-2.0.11.min.js",  # not a type a PDF needs
    "PORTAL-STATIC:css/portal.css",
    BLOB_URL + "0" * 64,  # well formed, not stored
    BLOB_URL + "abc",
    BLOB_URL + "../../etc/passwd",
    BLOB_URL + "/etc/passwd",
])
def test_refuses_every_other_url(url, store, logo_sha):
    with pytest.raises(Refused):
        fetch(url, store)


def test_refuses_blob_urls_that_are_not_exactly_a_stored_digest(store, logo_sha):
    for url in (BLOB_URL + logo_sha.upper(), BLOB_URL + logo_sha + ".png",
                BLOB_URL + logo_sha[:-1], BLOB_URL + "/" + logo_sha, BLOB_URL + logo_sha + "?x"):
        with pytest.raises(Refused):
            fetch(url, store)


def test_refuses_stored_files_that_are_not_raster_images(store):
    for data in (b"%PDF-1.7 not an image", b"body { color: red }",
                 b'<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///x"/></svg>'):
        with pytest.raises(Refused):
            fetch(BLOB_URL + store.put(data), store)


def test_refuses_symlinks_out_of_the_static_folder(tmp_path, store):
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    (static / "css" / "inside.css").write_text("p { color: blue }")
    (static / "css" / "escape.css").symlink_to(secret)
    (static / "css" / "alias.css").symlink_to(static / "css" / "inside.css")
    (static / "up").symlink_to(tmp_path)

    assert fetch(STATIC_URL + "css/alias.css", store, static)[0] == b"p { color: blue }"
    for name in ("css/escape.css", "up/secret.css"):
        with pytest.raises(Refused):
            fetch(STATIC_URL + name, store, static)


# Audit hooks cannot be removed, so one hook records only while a test asks it to.
_opened: list | None = None


def _audit(event, args):
    if _opened is not None and event in ("open", "os.listdir", "socket.connect", "urllib.Request"):
        _opened.append((event, args[0]))


sys.addaudithook(_audit)


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "http://127.0.0.1:9/x.png", "data:image/png;base64,iVBORw0KGgo=",
    STATIC_URL + "../../../etc/passwd", STATIC_URL + "/etc/passwd", "../../etc/passwd",
    BLOB_URL + "../../etc/passwd",
])
def test_a_refused_url_opens_no_file_and_no_socket(url, store):
    global _opened
    _opened = []
    try:
        with pytest.raises(Refused):
            fetch(url, store)
        assert _opened == []
    finally:
        _opened = None


# --- Rendering --------------------------------------------------------------------------


def logo_page(sha: str, head: str = "") -> str:
    return f"""<!doctype html><html><head>{head}<style>{PAGE}
        img {{ position: absolute; left: 40px; top: 40px; width: 60px; height: 60px }}
        p {{ position: absolute; top: 150px; left: 10px; font-size: 12px; margin: 0 }}
        </style></head><body><img src="{BLOB_URL}{sha}" alt=""><p>Acme Partner Co</p>
        </body></html>"""


@pytest.mark.parametrize("how", ["link", "stylesheets"])
def test_renders_static_css_and_a_stored_logo(how, store, logo_sha, tmp_path):
    if how == "link":
        data = render_pdf(logo_page(logo_sha, f'<link rel="stylesheet" href="{STATIC_CSS}">'),
                          store=store)
    else:
        data = render_pdf(logo_page(logo_sha), store=store, stylesheets=[STATIC_CSS])

    assert data.startswith(b"%PDF-")
    assert "AcmePartnerCo" in text_of(data)
    assert image_count(data) == 1
    page = first_page_pixels(data, tmp_path)
    assert page.size == (300, 300)
    assert close_to(page.getpixel((70, 70)), LOGO_COLOUR)  # the logo's middle
    assert close_to(page.getpixel((250, 250)), portal_css_background())  # portal.css is applied


def test_without_the_stylesheet_the_page_is_white(store, logo_sha, tmp_path):
    page = first_page_pixels(render_pdf(logo_page(logo_sha), store=store), tmp_path)
    assert close_to(page.getpixel((250, 250)), (255, 255, 255))
    assert close_to(page.getpixel((70, 70)), LOGO_COLOUR)


def _check_the_recorder_works(server) -> None:
    """A control request after the render: proves the server would have seen ours."""
    url = f"http://127.0.0.1:{server.server_port}/control.png"
    with urllib.request.urlopen(url) as response:
        assert response.read() == png()
    assert server.paths == ["/control.png"]


def test_nothing_is_fetched_from_the_network_the_disk_or_data_urls(server, store, tmp_path):
    base = f"http://127.0.0.1:{server.server_port}"
    https = f"https://127.0.0.1:{server.server_port}"
    secret_css = tmp_path / "secret.css"
    secret_css.write_text('body::after { content: "LEAKEDFROMDISK" }')
    secret_png = tmp_path / "secret.png"
    secret_png.write_bytes(png((0, 0, 255)))
    data_png = "data:image/png;base64," + base64.b64encode(png((0, 255, 0))).decode()
    document = f"""<!doctype html><html><head>
        <link rel="stylesheet" href="{base}/link.css">
        <link rel="stylesheet" href="{base}/redirect/link.css">
        <link rel="stylesheet" href="{secret_css.as_uri()}">
        <link rel="stylesheet" href="data:text/css,body::before{{content:'LEAKEDFROMDATA'}}">
        <link rel="attachment" href="{base}/attachment.png">
        <link rel="attachment" href="{secret_png.as_uri()}">
        <link rel="attachment" href="{STATIC_CSS}">
        <style>
          @import url({base}/import.css);
          @import url({secret_css.as_uri()});
          @font-face {{ font-family: X; src: url({base}/font.woff2), url({https}/f.ttf) }}
          @font-face {{ font-family: Y; src: local("DejaVu Sans") }}
          body {{ font-family: X, Y, sans-serif; background: url({base}/redirect/bg.png) }}
          p {{ background-image: url({secret_png.as_uri()}) }}
          li {{ list-style-image: url({base}/bullet.png) }}
          h1::before {{ content: url({base}/before.png) }}
        </style></head><body>
        <h1>Partner flyer</h1>
        <ul><li>item</li></ul>
        <img src="{base}/img.png"><img src="{base}/redirect/img.png">
        <img src="{secret_png.as_uri()}"><img src="{https}/img.png">
        <img src="ftp://127.0.0.1:{server.server_port}/img.png"><img src="{data_png}">
        <img srcset="{base}/srcset.png 1x" src="{base}/src.png">
        <object data="{base}/object.png" type="image/png"></object><embed src="{base}/embed.png">
        <svg width="20" height="20"><image href="{base}/svg.png" width="20" height="20"/></svg>
        <a rel="attachment" href="{base}/a.png">attachment</a>
        <a rel="attachment" href="{secret_png.as_uri()}">file attachment</a>
        <p style="background: url('{base}/inline.png')">done</p>
        </body></html>"""

    data = render_pdf(document, store=store)

    assert server.connections == [] and server.paths == []
    text = text_of(data)
    assert "Partnerflyer" in text and "done" in text
    assert "LEAKED" not in text
    assert image_count(data) == 0
    assert attachments_in(data) == ["portal.css"]  # the one allowed attachment
    _check_the_recorder_works(server)


def test_relative_urls_never_become_file_or_http_urls(server, store, tmp_path):
    """No base URL means relative URLs are dropped; a <base> element only moves them to
    a scheme the fetcher refuses. Paths here exist relative to the worker's directory."""
    here = Path.cwd()
    secret_png = tmp_path / "secret.png"
    secret_png.write_bytes(png((0, 0, 255)))
    relative_png = os.path.relpath(secret_png, here)
    bodies = [
        f'<img src="{relative_png}"><img src="{secret_png}">'
        f'<link rel="stylesheet" href="portal/static/css/portal.css">'
        f'<div style="background: url({relative_png}); height: 20px"></div>'
        f'<svg width="9" height="9"><image href="{relative_png}" width="9" height="9"/></svg>'
        f'<a rel="attachment" href="{relative_png}">a</a><p>done</p>',
        f'<base href="file:///"><img src="{str(secret_png).lstrip("/")}">'
        f'<a rel="attachment" href="{str(secret_png).lstrip("/")}">a</a><p>done</p>',
        f'<base href="http://127.0.0.1:{server.server_port}/"><img src="x.png">'
        f'<link rel="stylesheet" href="x.css"><p>done</p>',
    ]
    for body in bodies:
        data = render_pdf(f"<html><head><style>{PAGE}</style></head><body>{body}</body></html>",
                          store=store)
        assert "done" in text_of(data)
        assert image_count(data) == 0
        assert attachments_in(data) == []
        page = first_page_pixels(data, tmp_path)
        assert close_to(page.getpixel((250, 250)), (255, 255, 255))  # portal.css not applied
    assert server.connections == []


def test_partner_text_is_escaped_and_stays_text(server, store, logo_sha):
    base = f"http://127.0.0.1:{server.server_port}"
    template = Environment(autoescape=True).from_string(
        """<!doctype html><html><head><style>
        @page { size: 1400px 600px; margin: 10px } body { font-size: 10px }
        .card::after { content: "{{ company }}" }
        </style></head><body>
        <h1>{{ company }}</h1><p>{{ tagline }}</p><p>{{ footer }}</p>
        <img src="portal-blob:{{ logo }}" alt="{{ company }}">
        <p style="color: {{ colour }}">Brand colour</p>
        <div class="card"></div>
        </body></html>""")
    slots = {
        "company": '<img src="file:///etc/passwd">',
        "tagline": f"</style><style>body{{background:url({base}/x.png)}}</style>",
        "footer": f"@import url({base}/import.css);",
        # Autoescape does not make CSS safe: a partner value inside style= still parses
        # as CSS. The fetcher is what stops this one (and callers must validate colours).
        "colour": f"red; background: url({base}/style-attribute.png)",
        "logo": logo_sha,
    }

    data = render_pdf(template.render(**slots), store=store)

    text = text_of(data)
    for value in ("company", "tagline", "footer"):
        assert re.sub(r"\s+", "", slots[value]) in text
    assert image_count(data) == 1  # the logo only
    assert server.connections == []


def test_weasyprint_complaints_are_logged_as_info_not_errors(store, caplog):
    caplog.set_level("DEBUG")
    render_pdf('<html><body><img src="http://127.0.0.1:9/x.png"><img src="file:///etc/passwd">'
               '<p style="colour: red; background: url(x.png)">x</p></body></html>',
               store=store)
    messages = [r for r in caplog.records if r.getMessage().startswith("WeasyPrint:")]
    assert any("http://127.0.0.1:9/x.png" in r.getMessage() for r in messages)
    assert any("file:///etc/passwd" in r.getMessage() for r in messages)
    assert {r.levelname for r in messages} == {"INFO"}
    assert not [r for r in caplog.records if r.levelno >= 30]


def test_invalid_html_still_renders(store):
    data = render_pdf("<p><b>unclosed <table><tr><td>cell</div></span>&bogus; <<>> "
                      "<img src=><script>alert(1)</script></i>end", store=store)
    assert "cell" in text_of(data) and "end" in text_of(data)
    assert render_pdf("", store=store).startswith(b"%PDF-")
    assert render_pdf("\x00\ufffe binary \x07", store=store).startswith(b"%PDF-")


def test_a_stylesheet_that_cannot_load_fails_cleanly(store):
    with pytest.raises(RenderFailed, match="^The template could not be rendered: "):
        render_pdf("<p>x</p>", store=store, stylesheets=["file:///etc/passwd"])
    assert render_pdf("<p>still fine</p>", store=store).startswith(b"%PDF-")


def huge_document(paragraphs: int = 40_000) -> str:
    return "<html><body>" + "<p>Lorem ipsum dolor sit amet, consectetur.</p>" * paragraphs


def test_a_render_that_takes_too_long_is_killed(store):
    render_pdf("<p>warm</p>", store=store)
    worker = pdf._worker.process.pid
    started = time.monotonic()
    with pytest.raises(RenderFailed, match="^The PDF took too long to make"):
        render_pdf(huge_document(), store=store, timeout=0.5)
    assert time.monotonic() - started < 5
    with pytest.raises(ProcessLookupError):
        os.kill(worker, 0)
    assert "afterwards" in text_of(render_pdf("<p>afterwards</p>", store=store))


def test_a_worker_that_crashes_mid_render_fails_cleanly(store):
    pdf.start_worker()
    worker = pdf._worker.process.pid
    outcome = {}

    def render():
        try:
            render_pdf(huge_document(), store=store, timeout=30)
        except RenderFailed as error:
            outcome["error"] = str(error)

    thread = threading.Thread(target=render)
    thread.start()
    time.sleep(0.3)
    os.kill(worker, signal.SIGKILL)
    thread.join(timeout=10)
    assert outcome == {"error": "The PDF maker stopped unexpectedly."}
    assert "afterwards" in text_of(render_pdf("<p>afterwards</p>", store=store))


def test_a_worker_that_died_while_idle_is_replaced(store):
    pdf.start_worker()
    process = pdf._worker.process
    os.kill(process.pid, signal.SIGKILL)
    process.join(timeout=5)
    assert "again" in text_of(render_pdf("<p>again</p>", store=store))


def test_the_worker_is_replaced_after_a_number_of_renders(store, monkeypatch):
    monkeypatch.setattr(pdf, "RENDERS_PER_WORKER", 2)
    pdf.start_worker()
    pdf._worker.renders = 0
    first = pdf._worker.process.pid
    render_pdf("<p>one</p>", store=store)
    assert pdf._worker.process.pid == first
    render_pdf("<p>two</p>", store=store)
    assert pdf._worker.process.pid != first


def test_threads_take_turns(store, logo_sha):
    results = []

    def render(i: int) -> None:
        page = logo_page(logo_sha).replace("Acme", f"Thread{i}")
        results.append(text_of(render_pdf(page, store=store)))

    threads = [threading.Thread(target=render, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [f"Thread{i}PartnerCo" for i in range(4)]
