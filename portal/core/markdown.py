"""Safe Markdown: raw HTML is escaped and markdown-it refuses javascript:/data: links."""
from markdown_it import MarkdownIt
from markupsafe import Markup

_markdown = MarkdownIt("commonmark", {"html": False}).disable("image")


def render_markdown(text: str | None) -> str:
    return _markdown.render(text or "")


def as_markup(html: str | None) -> Markup:
    """Mark HTML produced by render_markdown as safe for templates (and nothing else)."""
    return Markup(html or "")
