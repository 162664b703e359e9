"""Template designs on their own: what a vendor may put in one, and how partner values
fill its slots (always escaped)."""
import pytest
from hypothesis import given, settings, strategies as st
from markupsafe import escape

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
