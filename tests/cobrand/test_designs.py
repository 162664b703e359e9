"""Template designs on their own: what a vendor may put in one, and how partner values
fill its slots (always escaped)."""
import pytest
from hypothesis import given, settings, strategies as st
from markupsafe import escape
from tinyhtml5 import parse

from portal.demo.cobrand import TEMPLATES, demo_design
from portal.cobrand.designs import (
    SLOTS, Design, SlotValues, default_limits, design_problems, document, fill,
)

PAGE = '<section class="page">{}</section>'


def design(html: str, css: str = "") -> Design:
    return Design(PAGE.format(html), css, "A4")


def problems(html: str = "", css: str = "") -> list[str]:
    found = design_problems(design(html, css))
    return found.get("html", []) + found.get("css", [])


@pytest.mark.parametrize("title, description, name, paper, audience", TEMPLATES)
def test_the_demo_designs_pass_and_use_every_slot(title, description, name, paper, audience):
    demo = demo_design(name, paper)
    assert design_problems(demo) == {}
    assert demo.slots == frozenset(SLOTS)


def test_a_plain_design_with_packaged_images_passes():
    assert problems('<h1>Hi</h1><img src="portal-static:img/cobrand/acme-cloud-logo.png">{{ partner_name }}',
                    ".page { background: url('portal-static:img/cobrand/flyer-hero.jpg') }") == []
    assert problems('<a href="https://acme.example/">Acme</a> <a href="mailto:x@acme.example">mail</a>') == []


@pytest.mark.parametrize("html, expected", [
    ("<script>alert(1)</script>", "<script> is not allowed"),
    ('<img src="x" onerror="alert(1)">', "Event handlers"),
    ('<img src="file:///etc/passwd">', "may only load the portal's own files"),
    ('<img src="http://127.0.0.1:8000/x.png">', "may only load the portal's own files"),
    ('<img src="//evil.example/x.png">', "may only load the portal's own files"),
    ('<img src="data:image/png;base64,AAAA">', "may only load the portal's own files"),
    ('<img src="portal-static:img/nope.png">', "There is no packaged file"),
    ('<img src="portal-static:../../etc/passwd">', "There is no packaged file"),
    ('<img srcset="portal-static:img/cobrand/acme-cloud-logo.png 2x">', "srcset"),
    ('<link rel="stylesheet" href="portal-static:css/portal.css">', "<link> is not allowed"),
    ("<style>body { color: red }</style>", "Put styles in the CSS box"),
    ('<iframe src="portal-static:css/portal.css"></iframe>', "<iframe> is not allowed"),
    ('<object data="file:///etc/passwd"></object>', "<object> is not allowed"),
    ('<svg><image href="file:///etc/passwd"/></svg>', "<image> is not allowed"),
    ('<div style="background: url(http://127.0.0.1/x)">', "may only load the portal's own files"),
    ('<a href="javascript:alert(1)">x</a>', "may only load the portal's own files"),
    ("{{ partner_nme }}", "Unknown slot {{ partner_nme }}"),
    ("{{ partner_name }", "A slot is not written right"),
    ('<img alt="{{ partner_name }}" src="portal-static:img/cobrand/acme-cloud-logo.png">', "not inside an attribute"),
    ("<body>hi</body>", "<body> is not allowed"),
])
def test_refused_html_says_why(html, expected):
    assert any(expected in message for message in problems(html)), problems(html)


@pytest.mark.parametrize("css, expected", [
    ("@import url(portal-static:css/portal.css);", "@import"),
    ("body { background: url(file:///etc/passwd) }", "may only load the portal's own files"),
    ("body { background: url( 'http://127.0.0.1:9/x.png' ) }", "may only load the portal's own files"),
    ('@font-face { font-family: X; src: url("https://fonts.example/x.woff") }', "may only load"),
    ("body { background: u\\72l(http://x/) }", "Backslash escapes"),
    ("</style><script>alert(1)</script>", "may not contain"),
    ("body { width: expression(alert(1)) }", "Scripted CSS"),
    (".x { color: {{ accent }} }", "Slots only work in the HTML"),
])
def test_refused_css_says_why(css, expected):
    assert any(expected in message for message in problems("<p>x</p>", css)), problems("<p>x</p>", css)


def test_a_design_needs_html_and_pages():
    assert design_problems(Design("", "", "A4"))["html"] == ["Write the design's HTML (what goes inside <body>)."]
    assert "section class=\"page\"" in design_problems(Design("<div>no pages</div>", "", "A4"))["html"][0]


HOSTILE = '<img src="file:///etc/passwd"><script>alert(1)</script><style>*{}</style>" onload="x'


def hostile_values(text: str = HOSTILE) -> SlotValues:
    return SlotValues(partner_name=text, tagline=text, contact_lines=(text, text), logo_url=None,
                      custom_message=f"{text}\n{text}", offer=text, accent_color="#123456")


def test_every_slot_is_escaped():
    every_slot = design(" ".join(f"{{{{ {name} }}}}" for name in SLOTS))
    html = str(fill(every_slot, hostile_values()))
    assert "<script" not in html and "<style" not in html and '<img src="file:' not in html
    assert html.count(str(escape(HOSTILE))) == 7  # name, tagline, two contact lines, two message lines, offer
    assert "<br>" in html  # the message keeps its line break, and nothing else is markup


def tags(markup: str) -> list[str]:
    return sorted(part.split(">")[0].split()[0] for part in markup.split("<")[1:] if part.strip())


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=60)
       .filter(str.strip))
def test_no_text_in_any_slot_makes_markup(text):
    """Whatever the text, the tags are exactly those of the design and the slot wrappers."""
    every_slot = design(" ".join(f"<i>{{{{ {name} }}}}</i>" for name in SLOTS))
    line_breaks = text.count("\n") + text.count("\r") + sum(text.count(c) for c in "\v\f\x1c\x1d\x1e\x85\u2028\u2029")
    with_text = tags(str(fill(every_slot, hostile_values(text))))
    skeleton = tags(str(fill(every_slot, hostile_values("x"))))
    assert [tag for tag in with_text if tag != "br"] == [tag for tag in skeleton if tag != "br"]
    assert with_text.count("br") <= skeleton.count("br") + 2 * line_breaks


def test_the_accent_colour_must_be_a_checked_hex_colour():
    values = SlotValues(partner_name="X", accent_color="red; } body { background: url(file:///etc/passwd)")
    with pytest.raises(ValueError):
        document(design("{{ partner_name }}"), values, title="t")
    html = document(design("x"), SlotValues(partner_name="X", accent_color="#1D6B4F"), title="t")
    assert "--partner-accent: #1D6B4F;" in html


def test_the_document_uses_portal_urls_for_the_pdf_and_browser_urls_for_the_preview():
    flyer = demo_design("product-overview-flyer", "A4")
    values = SlotValues(partner_name="X")
    for_pdf = document(flyer, values, title="Flyer")
    assert "portal-static:css/cobrand-base.css" in for_pdf and "portal-static:img/cobrand/flyer-hero.jpg" in for_pdf
    assert "@page { size: A4; margin: 0; }" in for_pdf
    preview = document(flyer, values, title="Flyer", static_url=lambda name: f"/static/{name}")
    assert "portal-static:" not in preview
    assert "/static/css/cobrand-preview.css" in preview and "/static/img/cobrand/flyer-hero.jpg" in preview


def test_limits_and_the_content_hash():
    a = Design("<section class='page'>x</section>", "", "A4")
    assert a.limits == default_limits()
    assert Design(a.html, a.css, "letter").content_sha256 != a.content_sha256
    assert Design(a.html, a.css, "A4", {**default_limits(), "offer": 50}).content_sha256 != a.content_sha256
    assert Design(a.html, a.css, "A4").content_sha256 == a.content_sha256


# --- what the renderers see: HTML5 parsing, CSS parsing ------------------------------------------

STATIC_IMAGE = "portal-static:img/cobrand/acme-cloud-logo.png"
LIVE = '<img src="http://evil.example/x.png" onerror="alert(1)">'


@pytest.mark.parametrize("html", [
    f"<!-- x --!>{LIVE}-->",                  # "--!>" closes a comment for an HTML5 parser
    f"<!-->{LIVE}-->",                        # an empty comment, closed at once
    f"<!--->{LIVE}-->",
    f"<![CDATA[ > {LIVE} ]]>",                # outside SVG, CDATA is a bogus comment, closed by ">"
    f"<? > {LIVE} ?>",
    f'<p title="x"/{LIVE}',
    f"<svg><style>{LIVE}</style></svg>",      # SVG's <style> holds markup, and <img> leaves the SVG
    f'<noscript><p title="</noscript>{LIVE}"></noscript>',
    f"<template>{LIVE}</template>",
    f"<math><mtext><table><mglyph><style>{LIVE}",
    f"<xmp>{LIVE}</xmp>",
])
def test_markup_a_lenient_parser_misreads_is_still_checked(html):
    found = problems(html)
    assert found and any("not allowed" in message or "may only load" in message for message in found), found


@pytest.mark.parametrize("html, expected", [
    ("<SCRIPT>alert(1)</SCRIPT>", "<script> is not allowed"),
    ("<ScRiPt\n>alert(1)</script>", "<script> is not allowed"),
    ("<script/src=portal-static:css/portal.css></script>", "<script> is not allowed"),
    ("<svg><script>alert(1)</script></svg>", "<script> is not allowed"),
    ("<svg><foreignObject><p>x</p></foreignObject></svg>", "<foreignobject> is not allowed"),
    ('<svg><feImage href="http://evil.example/x"/></svg>', "<feimage> is not allowed"),
    ('<svg><a xlink:href="http://evil.example/">x</a></svg>', "may only load"),
    ('<svg><rect fill="url(http://evil.example/#x)"/></svg>', "may only load"),
    ("<math><mi>x</mi></math>", "<math> is not allowed"),
    ("<noembed>x</noembed>", "<noembed> is not allowed"),
    ("<plaintext>x", "<plaintext> is not allowed"),
    ('<body onload="alert(1)">hi', "<body> is not allowed"),
    ("<html><head><title>x</title></head>", "<html> is not allowed"),
    ("<frameset></frameset>", "<frameset> is not allowed"),
    ("<!-- {{ logo }} -->", "Slots go between tags"),
    ("<?{{ logo }}<img src=x onerror=alert(1)>", "Slots go between tags"),
    ("<svg><text>{{ partner_name }}</text></svg>", "Slots go between tags"),
    ("<img {{ logo }} src=portal-static:img/cobrand/acme-cloud-logo.png>", "not inside an attribute or a tag"),
    ("<portal-slot></portal-slot>", "is reserved"),
])
def test_refused_parser_tricks_say_why(html, expected):
    assert any(expected in message for message in problems(html)), problems(html)


def test_what_html5_parsing_allows_passes():
    assert problems("<scr\0ipt>x</scr\0ipt>") == []  # not a script to any HTML5 parser: an unknown element
    assert problems("<!-- a comment --><p>{{ partner_name }}</p><table><tr><td>{{ offer }}</td></tr></table>") == []
    assert problems('<svg viewBox="0 0 10 10"><defs><linearGradient id="g"/></defs>'
                    '<rect fill="url(#g)" width="10" height="10"/></svg>') == []
    assert problems(f'<p style="background: url(\'{STATIC_IMAGE}\')">x</p>') == []


@pytest.mark.parametrize("css, expected", [
    ('.a { background: image-set("http://evil.example/x.png" 1x) }', "image-set() is not allowed"),
    (".a { background: -webkit-image-set(url(portal-static:img/cobrand/flyer-hero.jpg) 1x) }",
     "-webkit-image-set() is not allowed"),
    ('.a { background: IMAGE-SET("http://evil.example/x.png" 1x) }', "image-set() is not allowed"),
    ('.a { background: src("http://evil.example/x.png") }', "src() is not allowed"),
    ('.a { background: image("http://evil.example/x.png") }', "image() is not allowed"),
    ('.a { background: cross-fade(url(a.png), url(b.png)) }', "cross-fade() is not allowed"),
    (".a { background: element(#x) }", "element() is not allowed"),
    (".a { background: linear-gradient(red, blue), image-set('http://x/' 1x) }", "image-set() is not allowed"),
    ('.a { content: attr(data-x url) }', "attr() is not allowed"),
    ('@import "http://evil.example/x.css";', "@import is not allowed"),
    ('@namespace svg "http://evil.example/";', "@namespace is not allowed"),
    ('@font-face { font-family: X; src: url(https://fonts.example/x.woff) format("woff") }', "may only load"),
    ('@media print { .a { background: URL("http://evil.example/x") } }', "may only load"),
    ('@supports (display: grid) { .a { background: url( http://evil.example/x ) } }', "may only load"),
    (".a { background: url(#x) }", "may only load"),
])
def test_every_way_css_loads_something_is_checked(css, expected):
    assert any(expected in message for message in problems("<p>x</p>", css)), problems("<p>x</p>", css)


def test_a_style_attribute_is_checked_like_the_css_box():
    assert any("image-set() is not allowed" in message
               for message in problems('<p style="background: image-set(\'http://evil.example/x\' 1x)">x</p>'))


def test_packaged_files_in_css_pass():
    css = (f".a {{ background: url({STATIC_IMAGE}) }} .b {{ background: url(\"{STATIC_IMAGE}\") }}"
           "@page { margin: 1cm } @media print { .c { color: var(--partner-accent, #123456) } }")
    assert problems("<p>x</p>", css) == []


# Pieces a generated design is made of: comment and CDATA forms, foreign content, raw-text
# elements, quotes and stray brackets, slots, and a payload that must never come out live.
PIECES = ["<!--", "-->", "--!>", "<!-->", "<!--->", "<![CDATA[", "]]>", "<?", ">", "<", '"', "'", "=", "/",
          "<svg>", "</svg>", "<math>", "<mtext>", "<desc>", "<table>", "<td>", "<p>", "</p>", "<div title='",
          "<noscript>", "</noscript>", "<style>", "</style>", "<textarea>", "<select>", "<template>",
          "{{ partner_name }}", "{{ logo }}", "{{ custom_message }}", " ", "x", LIVE, "<img", " src=http://evil/x",
          " onerror=alert(1)"]


def _live_problems(markup: str) -> list[str]:
    """An independent look at a whole document as the renderers parse it: anything that runs
    or loads from outside."""
    found = []
    for element in parse(markup).iter():
        if not isinstance(element.tag, str):
            continue
        name = element.tag.rpartition("}")[2].lower()
        if name in ("script", "style", "link", "iframe", "object", "embed", "frame", "base"):
            found.append(name)  # the head is empty: a <style> or <link> here came from the design
        for key, value in element.attrib.items():
            key = key.rpartition("}")[2].lower()
            if key.startswith("on"):
                found.append(key)
            if key in ("src", "href", "data") and not value.strip().startswith(("portal-static:", "https://")):
                found.append(f"{key}={value}")
    return found


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=14))
def test_a_design_that_passes_renders_nothing_live(pieces):
    """Property: whatever the checks accept is, in the document the renderers parse (slots
    filled), free of scripts, handlers and outside URLs."""
    candidate = design("".join(pieces))
    if design_problems(candidate):
        return
    values = SlotValues(partner_name="N", tagline="T", contact_lines=("a",), logo_url=STATIC_IMAGE,
                        custom_message="M", offer="O")
    body = str(fill(candidate, values))
    assert _live_problems(f"<!DOCTYPE html><html><head></head><body>{body}</body></html>") == [], body
