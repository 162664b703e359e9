"""Jinja filters and globals shared by every template."""
from datetime import datetime

from flask import request, url_for
from flask_login import current_user
from markdown_it import MarkdownIt
from markupsafe import Markup

from portal.core.models import Persona

HTMX_SCRIPT = "js/htmx-2.0.11.min.js"

# Raw HTML in Markdown is escaped, and markdown-it refuses javascript:/data: links.
_markdown = MarkdownIt("commonmark", {"html": False}).disable("image")


def markdown(text: str | None) -> Markup:
    return Markup(_markdown.render(text or ""))  # safe: raw HTML is escaped by the parser


def date(value: datetime | None, fmt: str = "%d %b %Y") -> str:
    return value.strftime(fmt) if value else "—"


def page_url(page: int) -> str:
    """The current URL with another page number (filters kept)."""
    args = request.args.to_dict()
    args["page"] = page
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def register(app) -> None:
    app.jinja_env.filters["markdown"] = markdown
    app.jinja_env.filters["date"] = date
    app.jinja_env.globals.update(
        htmx_script=HTMX_SCRIPT, personas=list(Persona), page_url=page_url, current_user=current_user
    )
