"""Security headers on every response, and one check on every request's text."""
import re

from flask import abort, current_app, request

from portal.storage import presigned_download_origin

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'{download_origin}; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


def content_security_policy(download_origin: str | None) -> str:
    """Download forms POST to the portal, which may redirect them to the file store's
    presigned URLs; browsers apply form-action to that redirect too."""
    return CSP.format(download_origin=f" {download_origin}" if download_origin else "")


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(presigned_download_origin(current_app)))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    return response


NUL = "\x00"
# Embeddings, overrides and isolates: invisible, they make "Acme\u202egnp.exe" read
# "Acmeexe.png". Nobody types them; a pasted name may carry them. (The plain marks
# U+200E/U+200F are harmless and stay allowed.)
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
REFUSED_CHARACTERS = BIDI_CONTROLS | {NUL}
# Those characters written as JSON escapes, e.g. \u202E.
_JSON_ESCAPES = re.compile(r"\\u(0000|202[a-e]|206[6-9])", re.IGNORECASE)


def refuse_invisible_characters():
    """before_request: no text a request carries may hold U+0000 or a bidirectional control.
    Postgres cannot store NUL (it would be a 500 deep in some INSERT), bidi controls let a
    customer name shown in the vendor's review queue spoof another, no person types either,
    and one check here covers every form, query string and JSON body. File uploads are bytes
    and are not looked at; views check their own URL parts (an unknown one is a 404)."""
    texts = _values(request.args)
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        texts += _values(request.form)
        if request.is_json:
            body = request.get_data(cache=True).decode("utf-8", "replace")
            texts.append(_JSON_ESCAPES.sub(lambda match: chr(int(match.group(1), 16)), body))
    if any(NUL in text for text in texts):
        abort(400, description="Text may not contain NUL (zero) characters.")
    if any(not BIDI_CONTROLS.isdisjoint(text) for text in texts):
        abort(400, description="Text may not contain invisible direction controls (U+202A to U+202E, U+2066 to "
                               "U+2069): they make a name read differently from what is stored.")


def _values(multidict) -> list[str]:
    return [value for _, values in multidict.lists() for value in values]
