"""Links: portal paths without a request, and absolute URLs for emails and PDFs."""
from flask import current_app, has_request_context, request

FALLBACK_BASE_URL = "http://localhost:5000"  # neither PORTAL_BASE_URL nor a request: the development server


def path_for(endpoint: str, **values) -> str:
    """The path of a portal page; unlike url_for it needs no request."""
    return current_app.url_map.bind("").build(endpoint, values)


def base_url() -> str:
    """PORTAL_BASE_URL when set, else the address the current request came to."""
    if configured := current_app.config["BASE_URL"]:
        return configured
    if has_request_context():
        return request.host_url.rstrip("/")
    return FALLBACK_BASE_URL


def mail_base_url() -> str:
    """For links in emails: never the request's host. Email goes to someone else, so a Host
    header sent by whoever made the request must not end up in it (and `tick` sends mail
    outside any request)."""
    return current_app.config["BASE_URL"] or FALLBACK_BASE_URL


def absolute_url_for(endpoint: str, **values) -> str:
    return base_url() + path_for(endpoint, **values)


def mail_url_for(endpoint: str, **values) -> str:
    """An absolute link for an email (see mail_base_url)."""
    return mail_base_url() + path_for(endpoint, **values)
