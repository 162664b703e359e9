"""The one render helper: a full page, or one named block of it for htmx."""
from flask import get_flashed_messages, make_response, redirect, render_template, request
from jinja2_fragments.flask import render_block, render_blocks


def is_partial() -> bool:
    """A fragment is wanted for htmx swaps, never for boosts or history restores."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def render(
    template: str,
    block: str | list[str] | None = None,
    status: int = 200,
    headers: dict | None = None,
    **context,
):
    """Render the page, or only `block` (or several blocks) when htmx asks for a fragment."""
    if block and is_partial():
        if isinstance(block, str):
            body = render_block(template, block, **context)
        else:
            body = render_blocks(template, block, **context)
        if get_flashed_messages():
            body += render_template("_flash.html", oob=True)
    else:
        body = render_template(template, **context)
    response = make_response(body, status, headers or {})
    response.vary.add("HX-Request")
    return response


def fragment_or_redirect(url: str, render_fragment):
    """After a successful write: the updated fragment for htmx, a 303 for plain forms."""
    return render_fragment() if is_partial() else redirect(url, 303)
