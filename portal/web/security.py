"""Security headers on every response, and one check on every request's text."""
from flask import abort, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    return response


NUL = "\x00"


def refuse_nul_characters():
    """before_request: no text a request carries may hold U+0000. Postgres cannot store it
    (it would be a 500 deep in some INSERT), no person types it, and one check here covers
    every form, query string and JSON body. File uploads are bytes and are not looked at;
    views check their own URL parts (an unknown one is a 404)."""
    texts = _values(request.args)
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        texts += _values(request.form)
        if request.is_json and b"\\u0000" in request.get_data(cache=True):
            texts.append(NUL)
    if any(NUL in text for text in texts):
        abort(400, description="Text may not contain NUL (zero) characters.")


def _values(multidict) -> list[str]:
    return [value for _, values in multidict.lists() for value in values]
