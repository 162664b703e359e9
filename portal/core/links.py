"""Absolute links to the portal: PORTAL_BASE_URL when it is set.

Without it, what a page or a PDF prints follows the host the request came to. Email does
not: it goes to someone else, so a Host header sent by whoever made the request must never
end up in it (and `cli.py tick` sends mail outside any request)."""
from flask import current_app, has_request_context, request

UNCONFIGURED = "http://localhost:5000"


def base_url() -> str:
    """For what the current request shows: a page, a download."""
    configured = current_app.config["BASE_URL"]
    if configured or not has_request_context():
        return configured or UNCONFIGURED
    return request.host_url.rstrip("/")


def mail_base_url() -> str:
    """For links in emails, whenever they are sent."""
    return current_app.config["BASE_URL"] or UNCONFIGURED
