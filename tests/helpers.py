"""Helpers for client tests: forms posted with a CSRF token, signing in."""
import re

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
DEMO_PASSWORD = "partnerhouse"


def csrf_token(client) -> str:
    """A valid CSRF token for this client's session (read from a public form)."""
    html = client.get("/password/forgot").get_data(as_text=True)
    match = CSRF_RE.search(html)
    return match.group(1) or match.group(2)


def post(client, url, data=None, htmx=False, **kwargs):
    """POST a form with the session's CSRF token, as the browser does."""
    data = dict(data or {})
    data.setdefault("csrf_token", csrf_token(client))
    headers = dict(kwargs.pop("headers", {}))
    if htmx:
        headers["HX-Request"] = "true"
    return client.post(url, data=data, headers=headers, **kwargs)


def htmx_get(client, url, **kwargs):
    return client.get(url, headers={"HX-Request": "true"}, **kwargs)


def login(client, email, password=DEMO_PASSWORD):
    response = post(client, "/login", {"email": email, "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return response
