"""Jinja filters and globals shared by every template."""
from datetime import datetime

from flask import request, url_for
from flask_login import current_user
from markupsafe import Markup
from portal.core import clock
from portal.core.access import describe, manages_resellers
from portal.core.models import Persona
from portal.core.tiers import tier_styles_version
from portal.core.markdown import as_markup
from portal.web.htmx import is_partial

HTMX_SCRIPT = "js/htmx-2.0.11.min.js"

def date(value: datetime | None, fmt: str = clock.DATE_FORMAT) -> str:
    return value.strftime(fmt) if value else "—"


def machine_time(value: datetime) -> str:
    """A `<time datetime>` value: stored times are naive UTC; HTML allows at most three
    fraction digits, so whole seconds and a Z."""
    return value.isoformat(timespec="seconds") + "Z"


def page_url(page: int) -> str:
    """The current URL with another page number (filters kept)."""
    args = request.args.to_dict()
    args["page"] = page
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def search_highlight(html: str) -> Markup:
    """Trust HTML from the search library's highlighter: all text escaped, only <mark> added."""
    return Markup(html)


def filesize(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    return f"{size / 1024:.1f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


def register(app) -> None:
    app.jinja_env.filters["rendered_markdown"] = as_markup
    app.jinja_env.filters["search_highlight"] = search_highlight
    app.jinja_env.filters["filesize"] = filesize
    app.jinja_env.filters["date"] = date
    app.jinja_env.filters["machine_time"] = machine_time
    app.jinja_env.globals.update(
        htmx_script=HTMX_SCRIPT, personas=list(Persona), page_url=page_url, current_user=current_user,
        is_partial=is_partial,
        describe=describe, tier_styles_version=tier_styles_version, manages_resellers=manages_resellers,
    )
    # A value, not a function, so templates compare with it; read per render from the one clock.
    app.context_processor(lambda: {"now": clock.now()})
