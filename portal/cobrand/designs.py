"""Template designs: the vendor's HTML and CSS with {{ slot }} placeholders, the checks a
design must pass before it is saved, and filling its slots with a partner's details.

Independent of Flask and the database. A design is the inside of <body>: pages are
`<section class="page">` elements, which the base stylesheet (static/css/cobrand-base.css)
sizes to the paper. Partners supply data only: every slot value is escaped here, and the
only CSS a partner influences is the accent colour, a checked "#RRGGBB" put into the
custom property --partner-accent.

Files a design may use are the portal's own (`portal-static:img/…`); everything else is
refused when the design is saved, and again by the PDF fetcher (portal.pdf) if a design
ever got into the database another way.
"""
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from markupsafe import Markup, escape

from portal.pdf import STATIC_ROOT, STATIC_URL, fetch, Refused

# name -> (label, what a partner sees about it)
SLOTS = {
    "logo": "Your logo",
    "partner_name": "Your name",
    "tagline": "Your tagline",
    "contact_block": "Your contact details",
    "custom_message": "Your message",
    "offer": "Your offer",
}
# Slots holding text, with the default and the largest length a vendor may allow.
TEXT_SLOTS = {"partner_name": (40, 200), "tagline": (80, 80), "custom_message": (280, 1000), "offer": (100, 200)}
PARTNER_TYPED = ("custom_message", "offer")  # typed per PDF; the other slots come from the brand kit
MAX_PAGES = 4
MAX_SOURCE = 200_000  # characters of HTML, and of CSS
BASE_STYLESHEET = "css/cobrand-base.css"
PREVIEW_STYLESHEET = "css/cobrand-preview.css"

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]+)\s*\}\}")
_BRACES = re.compile(r"\{\{|\}\}")
_CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_HEX_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
_STATIC_REF = re.compile(re.escape(STATIC_URL) + r"[A-Za-z0-9_./-]+")

FORBIDDEN_TAGS = frozenset({
    "script", "style", "link", "meta", "base", "iframe", "frame", "frameset", "object", "embed", "applet",
    "form", "input", "button", "textarea", "select", "option", "template", "noscript", "portal", "html",
    "head", "body", "title", "foreignobject", "use", "image", "animate", "set",
})
URL_ATTRIBUTES = frozenset({"src", "href", "xlink:href", "srcset", "poster", "data", "action", "formaction",
                            "background", "cite", "longdesc", "ping", "lowsrc", "dynsrc"})
LINK_SCHEMES = ("https://", "http://", "mailto:", "tel:", "#")


def default_limits() -> dict[str, int]:
    return {name: default for name, (default, _) in TEXT_SLOTS.items()}


@dataclass(frozen=True)
class Design:
    html: str
    css: str
    page_size: str  # PageSize value: "A4" or "letter"
    limits: dict[str, int] = field(default_factory=default_limits)

    @property
    def slots(self) -> frozenset[str]:
        """The slots this design uses."""
        return frozenset(match.group(1) for match in PLACEHOLDER.finditer(self.html))

    @property
    def content_sha256(self) -> str:
        payload = json.dumps([self.html, self.css, self.page_size, self.limits], sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()

    def static_files(self) -> list[str]:
        """The packaged files the design uses (base stylesheet included), sorted."""
        names = {ref.removeprefix(STATIC_URL) for ref in _STATIC_REF.findall(self.html + "\n" + self.css)}
        return sorted(names | {BASE_STYLESHEET})


# --- checking a design before it is saved -----------------------------------------------------


def design_problems(design: Design) -> dict[str, list[str]]:
    """What is wrong with a design, per form field ("html", "css"); {} when it may be saved."""
    problems = {"html": _html_problems(design.html), "css": _css_problems(design.css, "the CSS")}
    return {name: found for name, found in problems.items() if found}


def _html_problems(html: str) -> list[str]:
    if not html.strip():
        return ["Write the design's HTML (what goes inside <body>)."]
    if len(html) > MAX_SOURCE:
        return [f"The HTML is {len(html):,} characters; the most is {MAX_SOURCE:,}."]
    problems = _placeholder_problems(html)
    checker = _HtmlChecker()
    checker.feed(html)
    checker.close()
    problems += checker.problems
    if "page" not in checker.classes:
        problems.append('Put each page in a <section class="page">…</section>, so it is sized to the paper.')
    return _unique(problems)


def _placeholder_problems(html: str) -> list[str]:
    problems = [f"Unknown slot {{{{ {name} }}}}. The slots are: {', '.join(SLOTS)}."
                for name in dict.fromkeys(PLACEHOLDER.findall(html)) if name not in SLOTS]
    if _BRACES.search(PLACEHOLDER.sub("", html)):
        problems.append("A slot is not written right: use {{ name }}, e.g. {{ partner_name }}.")
    return problems


def _css_problems(css: str, where: str) -> list[str]:
    if len(css) > MAX_SOURCE:
        return [f"The CSS is {len(css):,} characters; the most is {MAX_SOURCE:,}."]
    problems = []
    lowered = css.lower()
    if "@import" in lowered:
        problems.append(f"@import is not allowed in {where}: put all the CSS here.")
    if "\\" in css:
        problems.append(f"Backslash escapes are not allowed in {where}.")
    if "</" in css or "<!--" in css:
        problems.append(f"{where[0].upper()}{where[1:]} may not contain “</” or “<!--”.")
    if "expression(" in lowered or "behavior:" in lowered or "-moz-binding" in lowered:
        problems.append(f"Scripted CSS (expression, behavior, -moz-binding) is not allowed in {where}.")
    if "{{" in css:
        problems.append(f"Slots only work in the HTML. In {where}, use var(--partner-accent) for the partner's colour.")
    for _, url in _CSS_URL.findall(css):
        problem = _url_problem(url.strip())
        if problem:
            problems.append(problem)
    return problems


def _url_problem(url: str) -> str | None:
    """None when a design may load `url`: a packaged file, which must exist."""
    if not url.startswith(STATIC_URL):
        return (f"“{url[:80]}” cannot be used: designs may only load the portal's own files, "
                f"written {STATIC_URL}img/name.png.")
    try:
        fetch(url, Path("/nonexistent"))
    except Refused:
        return f"There is no packaged file {url[:120]}."
    return None


class _HtmlChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.classes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}> is not allowed in a design." + (
                " Put styles in the CSS box." if tag in ("style", "link") else ""))
        for name, value in attrs:
            self._check_attribute(tag, name, value or "")

    handle_startendtag = handle_starttag

    def _check_attribute(self, tag: str, name: str, value: str) -> None:
        if name.startswith("on"):
            self.problems.append(f"Event handlers such as {name}= are not allowed (designs run no scripts).")
        elif "{{" in value:
            self.problems.append(f"Slots go between tags, not inside an attribute ({name}= on <{tag}>).")
        elif name == "class":
            self.classes.update(value.split())
        elif name == "style":
            self.problems.extend(_css_problems(value, f"the style= attribute of <{tag}>"))
        elif name in URL_ATTRIBUTES:
            self._check_url(tag, name, value.strip())

    def _check_url(self, tag: str, name: str, url: str) -> None:
        if tag == "a" and name == "href" and url.lower().startswith(LINK_SCHEMES):
            return  # a link in the PDF: clickable, never fetched
        if name == "srcset":
            self.problems.append("srcset= is not allowed: use src= with one packaged image.")
            return
        problem = _url_problem(url)
        if problem:
            self.problems.append(problem)


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


# --- filling the slots ------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotValues:
    """What goes into the slots, as plain text (escaped when filled)."""

    partner_name: str
    tagline: str = ""
    contact_lines: tuple[str, ...] = ()
    logo_url: str | None = None
    custom_message: str = ""
    offer: str = ""
    accent_color: str | None = None  # a checked "#RRGGBB"


def fill(design: Design, values: SlotValues) -> Markup:
    """The design's HTML with every slot filled by escaped values."""
    parts = {
        "logo": _logo(values),
        "partner_name": Markup('<span class="partner-name">{}</span>').format(values.partner_name),
        "tagline": _optional("p", "partner-tagline", values.tagline),
        "contact_block": _contact(values.contact_lines),
        "custom_message": _paragraphs("partner-message", values.custom_message),
        "offer": _optional("p", "partner-offer", values.offer),
    }
    return Markup(PLACEHOLDER.sub(lambda match: parts.get(match.group(1), ""), design.html))


def _logo(values: SlotValues) -> Markup:
    if not values.logo_url:
        return Markup('<span class="partner-logo partner-logo-missing">Your logo</span>')
    return Markup('<img class="partner-logo" src="{}" alt="{} logo">').format(values.logo_url, values.partner_name)


def _optional(tag: str, css_class: str, text: str) -> Markup:
    return Markup(f'<{tag} class="{css_class}">{{}}</{tag}>').format(text) if text else Markup("")


def _contact(lines: tuple[str, ...]) -> Markup:
    items = Markup("").join(Markup('<span class="partner-contact-line">{}</span>').format(line) for line in lines)
    return Markup('<address class="partner-contact">{}</address>').format(items)


def _paragraphs(css_class: str, text: str) -> Markup:
    """Plain text in one element, its line breaks kept."""
    lines = [escape(line) for line in text.splitlines()]
    return Markup(f'<div class="{css_class}">{{}}</div>').format(Markup("<br>").join(lines)) if text.strip() else Markup("")


def document(design: Design, values: SlotValues, *, title: str,
             static_url: Callable[[str], str] | None = None) -> str:
    """The whole HTML document. For the PDF, files are portal-static: URLs; for the browser
    preview, `static_url(name)` gives the URL to use instead (the preview stylesheet added)."""
    def url(name: str) -> str:
        return static_url(name) if static_url else f"{STATIC_URL}{name}"

    body, css = str(fill(design, values)), design.css
    if static_url:
        body, css = _rewrite_static(body, static_url), _rewrite_static(css, static_url)
    if values.accent_color is not None and not _HEX_COLOR.fullmatch(values.accent_color):
        raise ValueError("The accent colour must be a checked #RRGGBB")
    paper = "A4" if design.page_size == "A4" else "letter"
    rules = f"@page {{ size: {paper}; margin: 0; }}\n"
    if values.accent_color:
        rules += f":root {{ --partner-accent: {values.accent_color}; }}\n"
    links = [url(BASE_STYLESHEET)] + ([url(PREVIEW_STYLESHEET)] if static_url else [])
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n"
        + "".join(f'<link rel="stylesheet" href="{escape(href)}">\n' for href in links)
        + f"<style>\n{rules}{css}\n</style>\n</head>\n"
        f'<body class="paper-{escape(design.page_size.lower())}">\n{body}\n</body>\n</html>\n'
    )


def _rewrite_static(text: str, static_url: Callable[[str], str]) -> str:
    return _STATIC_REF.sub(lambda match: static_url(match.group(0).removeprefix(STATIC_URL)), text)


@cache
def static_file_sha256(name: str) -> str:
    """The hash of a packaged file (they change only with a new release, so once per process)."""
    path = (STATIC_ROOT / name).resolve()
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"
