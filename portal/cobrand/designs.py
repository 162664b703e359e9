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

The checks read a design the way the renderers will: the HTML through an HTML5 parser
(tinyhtml5, the one WeasyPrint uses; Chromium follows the same specification), placed in
<body>, and the CSS through tinycss2 (WeasyPrint's CSS parser). A regex or a lenient parser
sees a different document: `<!-- x --!><img onerror=…>` is a comment to some and a live
image to a browser.
"""
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from xml.etree.ElementTree import Element

import tinycss2
from markupsafe import Markup, escape
from tinyhtml5.parser import HTMLParser

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
_HEX_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
_STATIC_REF = re.compile(re.escape(STATIC_URL) + r"[A-Za-z0-9_./-]+")

FORBIDDEN_TAGS = frozenset({
    "script", "style", "link", "meta", "base", "iframe", "frame", "frameset", "object", "embed", "applet",
    "form", "input", "button", "textarea", "select", "option", "template", "noscript", "portal", "html",
    "head", "body", "title", "foreignobject", "use", "image", "animate", "set", "feimage", "handler",
    "listener", "math",
    # Their content is raw text to some parsers and markup to others (or depends on flags such
    # as scripting): refused so that every renderer reads the same document.
    "xmp", "noembed", "noframes", "plaintext",
})
URL_ATTRIBUTES = frozenset({"src", "href", "xlink:href", "srcset", "poster", "data", "action", "formaction",
                            "background", "cite", "longdesc", "ping", "lowsrc", "dynsrc", "xml:base"})
# CSS functions that load something, other than url() (checked like every URL). attr() can
# turn an attribute into a URL.
URL_FUNCTIONS = frozenset({"image-set", "-webkit-image-set", "src", "image", "-webkit-image", "cross-fade",
                           "-webkit-cross-fade", "element", "-moz-element", "paint", "attr"})
URL_AT_RULES = frozenset({"import", "namespace"})
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


HTML_NAMESPACE = "http://www.w3.org/1999/xhtml"
_ATTRIBUTE_PREFIXES = {"{http://www.w3.org/1999/xlink}": "xlink:", "{http://www.w3.org/XML/1998/namespace}": "xml:",
                       "{http://www.w3.org/2000/xmlns/}": "xmlns:"}
# Each slot is parsed as this element, so the tree shows where the slot's markup will land.
SLOT_MARK = "portal-slot"
_SHELL = "<!DOCTYPE html><html><head></head><body>\n{}\n</body></html>"
_LOCAL_REFERENCE = re.compile(r"\s*url\(\s*#[A-Za-z][\w-]*\s*\)\s*")


def _html_problems(html: str) -> list[str]:
    if not html.strip():
        return ["Write the design's HTML (what goes inside <body>)."]
    if len(html) > MAX_SOURCE:
        return [f"The HTML is {len(html):,} characters; the most is {MAX_SOURCE:,}."]
    problems = _placeholder_problems(html)
    if SLOT_MARK in html.lower():
        problems.append(f"“{SLOT_MARK}” is reserved: write slots as {{{{ name }}}}.")
    parser = HTMLParser()
    root = parser.parse(_SHELL.format(PLACEHOLDER.sub(f"<{SLOT_MARK}></{SLOT_MARK}>", html)))
    checker = _TreeChecker()
    checker.check_document(root)
    problems += checker.problems
    problems += [f"<{name}> is not allowed in a design." for name in sorted(_dropped_tags(parser.errors))]
    if checker.slots != len(PLACEHOLDER.findall(html)):
        problems.append("Slots go between tags, in plain HTML: not inside a comment, a tag, <svg> or an element "
                        "whose content is text (such as <style>).")
    if "page" not in checker.classes:
        problems.append('Put each page in a <section class="page">…</section>, so it is sized to the paper.')
    return _unique(problems)


def _dropped_tags(errors) -> set[str]:
    """Forbidden start tags the parser dropped (a second <body>, <head> inside the body):
    harmless where they were, but a design has no business writing them."""
    names = {data.get("name") for _, code, data in errors if code.startswith("unexpected-start-tag")}
    if any(code == "non-html-root" for _, code, _ in errors):
        names.add("html")
    return names & FORBIDDEN_TAGS


def _placeholder_problems(html: str) -> list[str]:
    problems = [f"Unknown slot {{{{ {name} }}}}. The slots are: {', '.join(SLOTS)}."
                for name in dict.fromkeys(PLACEHOLDER.findall(html)) if name not in SLOTS]
    if _BRACES.search(PLACEHOLDER.sub("", html)):
        problems.append("A slot is not written right: use {{ name }}, e.g. {{ partner_name }}.")
    return problems


def _css_problems(css: str, where: str, tokens=None) -> list[str]:
    """What is wrong with a stylesheet (or, given its parsed `tokens`, a style= attribute)."""
    if len(css) > MAX_SOURCE:
        return [f"The CSS is {len(css):,} characters; the most is {MAX_SOURCE:,}."]
    problems = []
    lowered = css.lower()
    if "\\" in css:
        problems.append(f"Backslash escapes are not allowed in {where}.")
    if "</" in css or "<!--" in css:
        problems.append(f"{where[0].upper()}{where[1:]} may not contain “</” or “<!--”.")
    if "expression(" in lowered or "behavior:" in lowered or "-moz-binding" in lowered:
        problems.append(f"Scripted CSS (expression, behavior, -moz-binding) is not allowed in {where}.")
    if "{{" in css:
        problems.append(f"Slots only work in the HTML. In {where}, use var(--partner-accent) for the partner's colour.")
    if tokens is None:
        tokens = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    problems.extend(_css_token_problems(tokens, where))
    return problems


def _css_token_problems(tokens, where: str) -> Iterable[str]:
    """Every URL in parsed CSS, at any depth: url() must name a packaged file; other ways
    of loading something are refused."""
    for token in tokens:
        if token.type == "at-rule" and token.lower_at_keyword in URL_AT_RULES:
            yield f"@{token.lower_at_keyword} is not allowed in {where}: put all the CSS here."
        elif token.type == "url":
            yield from _optional_problem(_url_problem(token.value.strip()))
        elif token.type == "function" and token.lower_name == "url":
            strings = [part.value for part in token.arguments if part.type == "string"]
            yield from _optional_problem(_url_problem(strings[0].strip() if strings else ""))
        elif token.type == "function" and token.lower_name in URL_FUNCTIONS:
            yield f"{token.lower_name}() is not allowed in {where}: use url(portal-static:img/…) for images."
        yield from _css_token_problems(_children(token), where)


def _children(token) -> list:
    if token.type in ("qualified-rule", "at-rule"):
        return [*token.prelude, *(token.content or [])]
    if token.type == "declaration":
        return token.value
    if token.type == "function":
        return token.arguments
    return getattr(token, "content", None) or []  # () [] {} blocks; nothing for plain tokens


def _optional_problem(problem: str | None) -> list[str]:
    return [problem] if problem else []


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


class _TreeChecker:
    """Walks the parsed document: every element and attribute the renderers will see."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.classes: set[str] = set()
        self.slots = 0  # slots in places where their markup stays what it is

    def check_document(self, root: Element) -> None:
        # <html>, <head> and <body> are the shell's; attributes on them, or anything in
        # <head>, came from the design (an HTML5 parser merges a second <body>'s into the first).
        for element in (root, *root):
            name = _local_name(element)
            if element.attrib or (name == "head" and len(element)):
                self.problems.append(f"<{name}> is not allowed in a design.")
            if name != "html":
                self._walk(element, foreign=False)

    def _walk(self, parent: Element, foreign: bool) -> None:
        for element in parent:
            if not isinstance(element.tag, str):
                continue  # a comment
            name = _local_name(element)
            if name == SLOT_MARK:
                self.slots += 0 if foreign else 1
                continue
            if name in FORBIDDEN_TAGS:
                self.problems.append(f"<{name}> is not allowed in a design." + (
                    " Put styles in the CSS box." if name in ("style", "link") else ""))
            in_foreign = foreign or not element.tag.startswith(f"{{{HTML_NAMESPACE}}}")
            for key, value in element.attrib.items():
                self._check_attribute(name, _attribute_name(key), value, in_foreign)
            self._walk(element, in_foreign)

    def _check_attribute(self, tag: str, name: str, value: str, foreign: bool) -> None:
        if name.startswith("on"):
            self.problems.append(f"Event handlers such as {name}= are not allowed (designs run no scripts).")
        elif SLOT_MARK in name or SLOT_MARK in value:
            self.problems.append(f"Slots go between tags, not inside an attribute or a tag (<{tag}>).")
        elif name == "class":
            self.classes.update(value.split())
        elif name == "style":
            where = f"the style= attribute of <{tag}>"
            self.problems.extend(_css_problems(value, where, tinycss2.parse_blocks_contents(value)))
        elif name in URL_ATTRIBUTES:
            self._check_url(tag, name, value.strip())
        elif "url(" in value.lower() and not (foreign and _LOCAL_REFERENCE.fullmatch(value)):
            # SVG presentation attributes (fill=, filter=, mask=) take url(#id) of the same drawing.
            self.problems.extend(_css_problems(value, f"the {name}= attribute of <{tag}>",
                                               tinycss2.parse_component_value_list(value)))

    def _check_url(self, tag: str, name: str, url: str) -> None:
        if tag == "a" and name == "href" and url.lower().startswith(LINK_SCHEMES):
            return  # a link in the PDF: clickable, never fetched
        if name == "srcset":
            self.problems.append("srcset= is not allowed: use src= with one packaged image.")
            return
        problem = _url_problem(url)
        if problem:
            self.problems.append(problem)


def _local_name(element: Element) -> str:
    return element.tag.rpartition("}")[2].lower()


def _attribute_name(key: str) -> str:
    namespace, _, name = key.rpartition("}")
    return _ATTRIBUTE_PREFIXES.get(namespace + "}", "") + name.lower() if namespace else key.lower()


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
