"""Safe Markdown: raw HTML is escaped and markdown-it refuses javascript:/data: links."""
from markdown_it import MarkdownIt
from markupsafe import Markup

_markdown = MarkdownIt("commonmark", {"html": False}).disable("image")


def render_markdown(text: str | None) -> str:
    return _markdown.render(text or "")


def as_markup(html: str | None) -> Markup:
    """Mark HTML produced by render_markdown as safe for templates (and nothing else)."""
    return Markup(html or "")


_BLOCK_ENDS = {"paragraph_close", "heading_close", "list_item_close", "blockquote_close", "fence", "code_block"}


def plain_text(text: str) -> str:
    """What a reader sees of Markdown, without its marks (`#`, `_`, `**`, underlines of
    headings, link targets): for search and its snippets. Blocks end with a newline."""
    lines: list[str] = []
    for token in MarkdownIt("commonmark").parse(text):
        if token.type == "inline":
            lines.append("".join(_inline_text(child) for child in token.children or ()))
        elif token.type in ("fence", "code_block"):
            lines.append(token.content)
        if token.type in _BLOCK_ENDS:
            lines.append("\n")
    return "".join(lines)


def _inline_text(token) -> str:
    if token.type in ("text", "code_inline"):
        return token.content
    if token.type in ("softbreak", "hardbreak"):
        return "\n"
    if token.type == "image":
        return "".join(_inline_text(child) for child in token.children or ())  # its alt text
    return ""
