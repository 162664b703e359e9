"""Shared by the e2e fixtures and the screenshot script: serve an app on a free port and
launch Debian's Chromium (Playwright never downloads a browser here)."""
import contextlib
import shutil
import threading

from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DEMO_PASSWORD = "partnerhouse"


def chromium_path() -> str:
    """The system Chromium, or an error that says how to get one (never a skip)."""
    path = shutil.which("chromium")
    if path is None:
        raise RuntimeError(
            "Chromium not found on PATH: the e2e journeys need Debian's chromium "
            "(apt-get install chromium). Do not run `playwright install`."
        )
    return path


def launch_browser(playwright):
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


RESPONSE_BODY = "tests.e2e.response_body"


class ClosingRequestHandler(WSGIRequestHandler):
    """Werkzeug's server reads what is left of the request before it closes the response
    body; when the browser has already dropped the connection (it navigated on while an
    image streamed) that read raises and the body, an open blob, is never closed."""

    def connection_dropped(self, error, environ=None):
        body = environ.get(RESPONSE_BODY) if environ else None
        if hasattr(body, "close"):
            body.close()


def remembering_response_body(app):
    def wsgi(environ, start_response):
        body = app(environ, start_response)
        environ[RESPONSE_BODY] = body
        return body
    return wsgi


@contextlib.contextmanager
def serve(app):
    """Serve `app` over plain HTTP on 127.0.0.1 in a daemon thread; yield the base URL."""
    # The test app builds URLs for SERVER_NAME="portal.test"; the browser talks to 127.0.0.1.
    app.config["SERVER_NAME"] = None
    # Plain http: cookies must not be Secure-only, whatever PORTAL_ENV says.
    app.config["SESSION_COOKIE_SECURE"] = False
    app.config["REMEMBER_COOKIE_SECURE"] = False
    server = make_server("127.0.0.1", 0, remembering_response_body(app), threaded=True,
                         request_handler=ClosingRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def sign_in(page, email, password=DEMO_PASSWORD):
    """Sign in through the real form, as a person would."""
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Password", exact=True).press("Enter")
