"""The portal's one PDF renderer (house rule 8): WeasyPrint in a worker process, with a
URL fetcher that serves our own files and nothing else.

    portal-static:<path>   a file under portal/static (css, png, jpeg, svg, woff(2), ttf, otf)
    portal-blob:<sha256>   a PNG or JPEG in the BlobStore (read as a stream, never by path),
                           such as a partner's re-encoded logo

Every other URL (file:, http(s):, ftp:, data:, relative) is refused before any disk or
network access, so there is no redirect to follow. data: is refused too: it would let a
template embed bytes nobody reviewed (static) or sniffed and re-encoded (blobs). There is
no base URL, so URLs in templates and static CSS are absolute portal-static: URLs.

Each web process has one worker, forked from the forkserver with WeasyPrint imported, so
a render pays no import and no web process ever calls fork(). A render that runs out of
time, or a worker that crashes, is killed and replaced. Main scripts need the usual
`if __name__ == "__main__":` guard, as with any forkserver or spawn start.
"""
import logging
import multiprocessing
import os
import re
import resource
import threading
from collections.abc import Sequence
from pathlib import Path

from portal.assets.files import JPEG_SIGNATURE, PNG_SIGNATURE
from portal.storage import BlobNotFound, BlobStore, is_sha256

logger = logging.getLogger(__name__)

STATIC_URL = "portal-static:"
BLOB_URL = "portal-blob:"
STATIC_ROOT = Path(__file__).resolve().parent / "static"
# Segments of letters, digits, "_", "-", "." not starting with "." (no "..", no dotfiles);
# no leading "/", no "\", "%", "?" or "#".
_STATIC_PATH = re.compile(r"(?:[A-Za-z0-9_-][A-Za-z0-9_.-]*/)*[A-Za-z0-9_-][A-Za-z0-9_.-]*")
_STATIC_TYPES = {".css": "text/css; charset=utf-8", ".png": "image/png", ".jpg": "image/jpeg",
                 ".jpeg": "image/jpeg", ".svg": "image/svg+xml", ".woff": "font/woff",
                 ".woff2": "font/woff2", ".ttf": "font/ttf", ".otf": "font/otf"}
_BLOB_TYPES = ((PNG_SIGNATURE, "image/png"), (JPEG_SIGNATURE, "image/jpeg"))
BUSY_WAIT = 60.0  # seconds a render waits while another render of this process runs
RENDERS_PER_WORKER = 100  # WeasyPrint keeps ~0.3 MB per render (fontconfig) until exit
MAX_LOGGED = 20  # WeasyPrint messages passed on per render


class RenderFailed(Exception):
    """No PDF could be made; the message is safe to show a user."""


class Refused(ValueError):
    """A URL templates may not load."""


def fetch(url: str, store: BlobStore, static_root: Path = STATIC_ROOT) -> tuple[bytes, str]:
    """The bytes and mime type behind a URL a template may load; Refused for any other."""
    if url.startswith(STATIC_URL):
        name = url.removeprefix(STATIC_URL)
        mime = _STATIC_TYPES.get(os.path.splitext(name)[1].lower())
        if mime and _STATIC_PATH.fullmatch(name):
            root = static_root.resolve()
            path = (root / name).resolve()  # follows symlinks, which must stay inside
            if path.is_relative_to(root) and path.is_file():
                return path.read_bytes(), mime
    elif url.startswith(BLOB_URL) and is_sha256(sha := url.removeprefix(BLOB_URL)):
        try:
            with store.open(sha) as stream:
                data = stream.read()
        except BlobNotFound:
            data = b""
        for signature, mime in _BLOB_TYPES:
            if data.startswith(signature):
                return data, mime
    raise Refused(f"Refused URL: {url[:120]}")


def render_pdf(html: str, *, store: BlobStore, stylesheets: Sequence[str] = (),
               timeout: float = 20.0) -> bytes:
    """The PDF of `html`, whose partner data is already escaped; `stylesheets` are
    portal-static: URLs; portal-blob: images come from `store`. Waits up to BUSY_WAIT for another render of this process, then
    gives this one `timeout` seconds. Raises RenderFailed."""
    if not _lock.acquire(timeout=BUSY_WAIT):
        raise RenderFailed("The PDF maker is busy. Try again in a minute.")
    try:
        return _render((html, store, list(stylesheets)), timeout)
    finally:
        _lock.release()


def start_worker() -> None:
    """Start the worker now (say, when a web worker boots) instead of at the first render."""
    with _lock:
        if _worker is None:
            _replace_worker()


class _Worker:
    def __init__(self) -> None:
        context = multiprocessing.get_context("forkserver")
        # Only counts before the forkserver starts; after that, _serve imports WeasyPrint.
        context.set_forkserver_preload(["__main__", "weasyprint", __name__])
        self.renders = 0
        self.conn, child_end = context.Pipe()
        self.process = context.Process(target=_serve, args=(child_end,), daemon=True)
        self.process.start()
        child_end.close()

    def stop(self) -> None:
        self.process.kill()
        self.process.join()
        self.process.close()
        self.conn.close()


_lock = threading.Lock()
_worker: _Worker | None = None


def _forget_worker() -> None:
    """In a child forked from this process (gunicorn --preload), the worker is the parent's."""
    global _lock, _worker
    if _worker is not None:
        _worker.conn.close()
    _lock, _worker = threading.Lock(), None


os.register_at_fork(after_in_child=_forget_worker)


def _replace_worker() -> None:
    global _worker
    if _worker is not None:
        _worker.stop()
    _worker = _Worker()


def _render(request: tuple, timeout: float) -> bytes:
    if _worker is None or not _worker.process.is_alive():
        _replace_worker()
    try:
        _worker.conn.send(request)
        if not _worker.conn.poll(timeout):
            _replace_worker()
            raise RenderFailed("The PDF took too long to make.")
        status, payload, messages, peak_kb = _worker.conn.recv()
    except (OSError, EOFError):
        _replace_worker()
        raise RenderFailed("The PDF maker stopped unexpectedly.") from None
    _worker.renders += 1
    if _worker.renders >= RENDERS_PER_WORKER:
        _replace_worker()
    for message in messages:
        logger.info("WeasyPrint: %s", message)
    logger.debug("PDF worker peak RSS: %d MB", peak_kb // 1024)
    if status != "ok":
        raise RenderFailed(f"The template could not be rendered: {payload}")
    return payload


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.messages) < MAX_LOGGED:
            self.messages.append(record.getMessage()[:300])


def _serve(conn) -> None:
    """The worker: render each request from the pipe until the web process goes away."""
    import weasyprint
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class Fetcher(URLFetcher):
        def __init__(self, store: BlobStore | None) -> None:
            super().__init__(allowed_protocols=(), allow_redirects=False)
            self.store = store

        def fetch(self, url: str, headers=None) -> URLFetcherResponse:
            data, mime = fetch(url, self.store)
            return URLFetcherResponse(url, data, {"Content-Type": mime})

    collect = _Collect()
    logging.getLogger("weasyprint").addHandler(collect)
    logging.getLogger("weasyprint").propagate = False  # the web process logs them, at INFO
    weasyprint.HTML(string="<p>warm</p>", url_fetcher=Fetcher(None)).write_pdf()  # loads fonts
    while True:
        try:
            html, store, stylesheets = conn.recv()
        except EOFError:
            return
        collect.messages = []
        try:
            fetcher = Fetcher(store)
            css = [weasyprint.CSS(url=url, url_fetcher=fetcher) for url in stylesheets]
            document = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher)
            reply = ("ok", document.write_pdf(stylesheets=css))
        except Exception as error:  # whatever the template did, the caller gets a message
            reply = ("error", f"{type(error).__name__}: {error}"[:300])
        conn.send((*reply, collect.messages, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
