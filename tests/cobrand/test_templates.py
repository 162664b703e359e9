"""Co-branded collateral through the pages: choosing a template, the live preview, making
the PDF (and finding it again in the cache), downloading it, audiences and tenancy, the
vendor's template editor and versions, and who co-brands what."""
import io
import re
import urllib.request

import pypdf
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from helpers import htmx_get, post
from portal import pdf as renderer
from portal.cobrand import collateral
from portal.demo.cobrand import GOLD_KIT, GOLD_MESSAGE, demo_design
from portal.cobrand.models import CobrandActivity, CobrandedPdf, CobrandTemplate, TemplateVersion
from portal.core.models import AuditEvent
from portal.extensions import db
from recorder import server  # noqa: F401  (a fixture)

FLYER, GOLD_ONLY = "Product Overview Flyer", "Executive Briefing Invitation (Gold)"
PAGE = '<section class="page">{}</section>'


# --- helpers ---------------------------------------------------------------------------------


def template_id(app, title: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(CobrandTemplate.id).where(CobrandTemplate.title == title))


def pdf_rows(app) -> list[CobrandedPdf]:
    with app.app_context():
        rows = db.session.scalars(sa.select(CobrandedPdf).order_by(CobrandedPdf.id)).all()
        db.session.expunge_all()
        return rows


def activity(app) -> list[tuple[str, str, int]]:
    """(kind, user email, version number) of every recorded generation and download."""
    with app.app_context():
        rows = db.session.scalars(sa.select(CobrandActivity).order_by(CobrandActivity.id)).all()
        return [(row.kind.value, row.user.email, row.version_number) for row in rows]


def text_of(data: bytes) -> str:
    """A PDF's text with all whitespace collapsed to single spaces."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def create(client, tid: int, message: str = "", offer: str = "", htmx: bool = True):
    return post(client, f"/co-brand/{tid}/pdf", {"custom_message": message, "offer": offer}, htmx=htmx)


def made_pdf_id(response) -> int:
    return int(re.search(r'/co-brand/pdfs/(\d+)/download', response.get_data(as_text=True)).group(1))


def download(client, pdf_id: int):
    """The download's response, read and closed (a file response holds the file open)."""
    response = post(client, f"/co-brand/pdfs/{pdf_id}/download")
    response.get_data()
    response.close()
    return response


def template_form(title="Partner Webinar Invite", html=PAGE.format("<h1>Webinar</h1>{{ partner_name }}{{ logo }}"),
                  css="h1 { color: var(--partner-accent, #123456) }", **extra) -> dict:
    data = {"title": title, "description": "An invitation.", "page_size": "A4", "html": html, "css": css,
            "limit_partner_name": "40", "limit_tagline": "80", "limit_custom_message": "280", "limit_offer": "100"}
    data.update(extra)
    return data


# --- choosing a template -----------------------------------------------------------------------


def test_gold_sees_both_templates_and_silver_only_the_flyer(login_as):
    gold = login_as("marketing@gold.demo").get("/co-brand").get_data(as_text=True)
    assert FLYER in gold and GOLD_ONLY in gold
    assert "Ready: PDFs will carry" in gold
    silver = login_as("marketing@silver.demo").get("/co-brand").get_data(as_text=True)
    assert FLYER in silver and GOLD_ONLY not in silver
    assert "Before you co-brand: Add your logo." in silver and "Fill in the brand kit" in silver


def test_silver_gets_404_for_everything_about_the_gold_only_template(app, login_as):
    silver = login_as("marketing@silver.demo")
    tid = template_id(app, GOLD_ONLY)
    for url in (f"/co-brand/{tid}", f"/co-brand/{tid}/preview", f"/co-brand/{tid}/thumbnail/1"):
        assert silver.get(url).status_code == 404, url
    assert create(silver, tid, "Hello").status_code == 404
    assert login_as("marketing@gold.demo").get(f"/co-brand/{tid}").status_code == 200


def test_silver_gets_404_for_gold_s_pdf(app, login_as):
    gold_pdf = pdf_rows(app)[0]  # the demo seed's flyer, made by Gold's marketer
    assert download(login_as("marketing@silver.demo"), gold_pdf.id).status_code == 404
    assert download(login_as("admin@silver.demo"), gold_pdf.id).status_code == 404
    assert download(login_as("sales@gold.demo"), gold_pdf.id).status_code == 200  # same org
    assert download(login_as("channel@vendor.demo"), gold_pdf.id).status_code == 200


def test_the_gallery_pages_and_its_fragment(app, login_as):
    client = login_as("marketing@gold.demo")
    fragment = htmx_get(client, "/co-brand?page=1")
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and body.lstrip().startswith('<div id="template-cards">')
    assert "<html" not in body
    assert "HX-Request" in fragment.headers["Vary"]


def test_the_marketing_room_lists_templates_and_other_rooms_have_no_such_card(login_as):
    client = login_as("marketing@gold.demo")
    assert 'hx-get="/rooms/marketing/co-brand"' in client.get("/rooms/marketing").get_data(as_text=True)
    widget = htmx_get(client, "/rooms/marketing/co-brand").get_data(as_text=True)
    assert FLYER in widget and GOLD_ONLY in widget
    assert "/rooms/sales/co-brand" not in client.get("/rooms/sales").get_data(as_text=True)
    assert client.get("/rooms/sales/co-brand").status_code == 404


def test_withdrawn_templates_vanish_for_partners_but_their_pdfs_stay(app, login_as):
    tid = template_id(app, FLYER)
    gold_pdf = pdf_rows(app)[0]
    admin = login_as("admin@vendor.demo")
    response = post(admin, f"/co-brand/{tid}/live", {"live": "0"})
    assert response.status_code == 303
    marketer = login_as("marketing@gold.demo")
    assert marketer.get(f"/co-brand/{tid}").status_code == 404
    assert FLYER not in marketer.get("/co-brand").get_data(as_text=True)
    assert download(marketer, gold_pdf.id).status_code == 200
    assert '<span class="badge">Draft</span>' in admin.get(f"/co-brand/{tid}").get_data(as_text=True)
    post(admin, f"/co-brand/{tid}/live", {"live": "1"})
    assert marketer.get(f"/co-brand/{tid}").status_code == 200
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.like("cobrand_template.%")
                                                                       ).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["cobrand_template.withdrawn", "cobrand_template.published"]


# --- the live preview ---------------------------------------------------------------------------


def test_the_template_page_shows_the_kit_the_form_and_the_preview_frame(app, login_as):
    tid = template_id(app, FLYER)
    body = login_as("marketing@gold.demo").get(f"/co-brand/{tid}").get_data(as_text=True)
    assert GOLD_KIT.display_name in body and GOLD_KIT.email in body
    assert f'src="/co-brand/{tid}/preview"' in body
    assert "Brand checks passed" in body and "Create PDF" in body
    assert 'maxlength="280"' in body


def test_typing_swaps_in_a_preview_for_exactly_what_was_typed(app, login_as):
    tid = template_id(app, FLYER)
    client = login_as("marketing@gold.demo")
    fragment = htmx_get(client, f"/co-brand/{tid}?custom_message=Hello+%3Cb%3EColorado%3C/b%3E&offer=")
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="cobrand-preview"')
    preview_url = re.search(r'<iframe class="cobrand-frame" src="([^"]+)"', body).group(1).replace("&amp;", "&")
    assert "custom_message=Hello" in preview_url
    document = client.get(preview_url)
    html = document.get_data(as_text=True)
    assert "Hello &lt;b&gt;Colorado&lt;/b&gt;" in html and "<b>Colorado" not in html
    assert GOLD_KIT.display_name in html and GOLD_KIT.phone in html
    assert "/brand-kit/" in html  # the logo, from the kit
    # The full page for the same URL keeps what was typed in the form.
    assert "Hello &lt;b&gt;Colorado&lt;/b&gt;</textarea>" in client.get(
        f"/co-brand/{tid}?custom_message=Hello+%3Cb%3EColorado%3C/b%3E").get_data(as_text=True)


def test_the_preview_document_is_sandboxed_and_loads_only_our_files(app, login_as):
    tid = template_id(app, FLYER)
    response = login_as("marketing@gold.demo").get(f"/co-brand/{tid}/preview")
    csp = response.headers["Content-Security-Policy"]
    assert "sandbox" in csp and "script-src" not in csp and "default-src 'none'" in csp
    assert "frame-ancestors 'self'" in csp and response.headers["X-Frame-Options"] == "SAMEORIGIN"
    html = response.get_data(as_text=True)
    assert "portal-static:" not in html and "/static/css/cobrand-base.css" in html
    assert "<script" not in html


def test_a_too_long_message_is_refused_with_a_field_message(app, login_as):
    tid = template_id(app, FLYER)
    response = create(login_as("marketing@gold.demo"), tid, "x" * 281)
    assert response.status_code == 422
    assert "281 characters: this template has room for 280." in response.get_data(as_text=True)
    assert len(pdf_rows(app)) == 1  # only the seed's


def test_silver_must_fill_in_the_kit_first(app, login_as):
    tid = template_id(app, FLYER)
    client = login_as("marketing@silver.demo")
    page = client.get(f"/co-brand/{tid}").get_data(as_text=True)
    assert "Before you can make the PDF" in page and "Add your logo." in page
    assert re.search(r'<button type="submit" class="button button-primary" disabled>Create PDF', page)
    response = create(client, tid, "Hello")  # as if the kit had changed since the page loaded
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Add your logo." in body
    assert '<section id="cobrand-preview" class="card cobrand-preview" aria-labelledby="preview-title" data-hx-swap-oob="true">' in body
    assert len(pdf_rows(app)) == 1


# --- making the PDF ------------------------------------------------------------------------------


def test_gold_makes_a_pdf_with_its_details_and_the_vendor_s_content(app, login_as):
    tid = template_id(app, FLYER)
    client = login_as("marketing@gold.demo")
    response = create(client, tid, "We move Colorado to Acme Cloud.", "20% off the first three months")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Your PDF is ready" in body and "made in" in body
    assert body.lstrip().startswith('<section id="cobrand-editor"')
    data = download(client, made_pdf_id(response)).data
    text = text_of(data)
    for expected in (GOLD_KIT.display_name, GOLD_KIT.email, GOLD_KIT.phone, "summitpeak.example", "Denver, CO 80202",
                     GOLD_KIT.tagline, "We move Colorado to Acme Cloud.", "20% off the first three months",
                     "Run every workload.", "Why customers move to Acme Cloud"):
        assert expected in text, expected
    assert len(pypdf.PdfReader(io.BytesIO(data)).pages) == 2


def test_the_same_request_again_comes_from_the_cache(app, login_as, monkeypatch):
    tid = template_id(app, FLYER)
    client = login_as("marketing@gold.demo")
    first = create(client, tid, "Cache me.")
    renders = []
    monkeypatch.setattr(collateral, "render", lambda *args: renders.append(args) or b"never")
    again = create(login_as("admin@gold.demo"), tid, "Cache me.")  # another person of the same org
    assert again.status_code == 200 and "the same as one made before" in again.get_data(as_text=True)
    assert renders == [] and made_pdf_id(again) == made_pdf_id(first)
    response = download(client, made_pdf_id(first))
    pdf = [row for row in pdf_rows(app) if row.id == made_pdf_id(first)][0]
    assert response.headers["ETag"] == f'"{pdf.sha256}"'
    assert response.headers["Content-Disposition"].startswith("attachment; filename=product-overview-flyer-summit")
    assert "private" in response.headers["Cache-Control"]
    kinds = activity(app)[-3:]
    assert kinds == [("rendered", "marketing@gold.demo", 1), ("reused", "admin@gold.demo", 1),
                     ("downloaded", "marketing@gold.demo", 1)]


def test_a_changed_kit_or_message_makes_a_new_pdf(app, login_as):
    tid = template_id(app, FLYER)
    client = login_as("marketing@gold.demo")
    first = made_pdf_id(create(client, tid, "One."))
    second = made_pdf_id(create(client, tid, "Two."))
    assert first != second
    kit = {"display_name": "Summit Peak", "tagline": GOLD_KIT.tagline, "website": GOLD_KIT.website,
           "email": GOLD_KIT.email, "phone": GOLD_KIT.phone, "address": GOLD_KIT.address,
           "accent_color": GOLD_KIT.accent_color}
    assert post(client, "/brand-kit", kit).status_code == 303
    third = create(client, tid, "One.")
    assert made_pdf_id(third) not in (first, second)
    assert "Summit Peak" in text_of(download(client, made_pdf_id(third)).data)


def test_the_pdf_is_rendered_with_no_transaction_open(app, login_as, monkeypatch):
    """Rendering takes a moment: SQLite's write lock (and a Postgres transaction) must not be held."""
    real_render, in_transaction = collateral.render, []

    def watched(*args):
        in_transaction.append(db.session().in_transaction())
        return real_render(*args)

    monkeypatch.setattr(collateral, "render", watched)
    response = create(login_as("marketing@gold.demo"), template_id(app, FLYER), "No lock held.")
    assert response.status_code == 200 and in_transaction == [False]


def test_a_failed_render_is_a_clear_message_not_a_500(app, login_as, monkeypatch):
    def fail(*args):
        raise renderer.RenderFailed("The PDF took too long to make.")

    monkeypatch.setattr(collateral, "render", fail)
    response = create(login_as("marketing@gold.demo"), template_id(app, FLYER), "Slow.")
    assert response.status_code == 422
    assert "The PDF took too long to make." in response.get_data(as_text=True)
    assert len(pdf_rows(app)) == 1


def test_without_htmx_the_create_form_answers_the_whole_page(app, login_as):
    response = create(login_as("marketing@gold.demo"), template_id(app, FLYER), "Plain.", htmx=False)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in body and "Your PDF is ready" in body


def test_vendor_staff_cannot_make_partner_pdfs_but_get_the_sample(app, login_as):
    tid = template_id(app, FLYER)
    channel = login_as("channel@vendor.demo")
    assert create(channel, tid, "Hi").status_code == 404
    sample = channel.get(f"/co-brand/{tid}/sample.pdf")
    assert sample.status_code == 200 and sample.mimetype == "application/pdf"
    assert "Northwind Partners" in text_of(sample.data)
    preview = channel.get(f"/co-brand/{tid}/preview").get_data(as_text=True)
    assert "Northwind Partners" in preview and "sample-partner-logo.png" in preview


def test_hostile_kit_and_slot_text_prints_as_text(app, login_as):
    hostile = '<img src="file:///etc/passwd"> <b>bold</b>'
    client = login_as("marketing@gold.demo")
    kit = {"display_name": hostile[:40], "tagline": "<style>*{display:none}</style>", "website": GOLD_KIT.website,
           "email": GOLD_KIT.email, "phone": GOLD_KIT.phone, "address": "<script>x</script>",
           "accent_color": GOLD_KIT.accent_color}
    assert post(client, "/brand-kit", kit).status_code == 303
    tid = template_id(app, FLYER)
    response = create(client, tid, hostile, "<i>offer</i>")
    text = text_of(download(client, made_pdf_id(response)).data)
    assert '<img src="file:///etc/passwd">' in text and "<b>bold</b>" in text and "<i>offer</i>" in text
    assert "<style>*{display:none}</style>" in text and "<script>x</script>" in text
    assert "root:x:0" not in text


# --- the renderer refuses whatever a template tries to load -------------------------------------


def test_a_template_that_reached_the_database_unchecked_still_fetches_nothing(app, login_as, server):
    """Designs are checked when saved; if one got in another way, the fetcher still refuses."""
    base = f"http://127.0.0.1:{server.server_port}"
    html = PAGE.format(f'{{{{ partner_name }}}}<img src="file:///etc/passwd"><img src="{base}/img.png">'
                       f'<img src="{base}/redirect/img.png"><iframe src="file:///etc/passwd"></iframe>'
                       f'<object data="{base}/object"></object><link rel="stylesheet" href="{base}/x.css">')
    css = f"body {{ background: url({base}/bg.png) }} .page {{ background: url(file:///etc/passwd) }}"
    tid = template_id(app, FLYER)
    with app.app_context():
        template = db.session.get(CobrandTemplate, tid)
        version = TemplateVersion(template=template, number=2, html=html, css=css, page_size="A4",
                                  slot_limits=template.current.slot_limits, content_sha256="0" * 64, pages=1,
                                  thumbnail_sha256=None)
        version.page_size = template.current.page_size
        db.session.add(version)
        template.version = 2
        db.session.commit()
    client = login_as("marketing@gold.demo")
    response = create(client, tid, f'<img src="{base}/slot.png">')
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    text = text_of(download(client, made_pdf_id(response)).data)
    assert "root:x:0" not in text and GOLD_KIT.display_name in text
    assert server.paths == [] and server.connections == []
    with urllib.request.urlopen(f"{base}/control.png") as control:  # the recorder did work
        assert control.status == 200
    assert server.paths == ["/control.png"]


# --- the vendor's editor ------------------------------------------------------------------------


def test_a_vendor_admin_creates_a_template_with_a_thumbnail(app, login_as):
    admin = login_as("admin@vendor.demo")
    assert admin.get("/co-brand/new").status_code == 200
    response = post(admin, "/co-brand/new", template_form(**{"audience-tiers": ["gold", "platinum"]}))
    assert response.status_code == 303
    tid = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        template = db.session.get(CobrandTemplate, tid)
        assert template.version == 1 and template.current.pages == 1 and template.current.thumbnail_sha256
        assert template.audience.tiers and template.current.slot_limits["custom_message"] == 280
    with admin.get(f"/co-brand/{tid}/thumbnail/1") as thumbnail:
        thumbnail.get_data()
    assert thumbnail.status_code == 200 and thumbnail.data.startswith(b"\x89PNG")
    assert login_as("marketing@silver.demo").get(f"/co-brand/{tid}").status_code == 404
    assert login_as("marketing@gold.demo").get(f"/co-brand/{tid}").status_code == 404  # a draft
    assert post(admin, f"/co-brand/{tid}/live", {"live": "1"}).status_code == 303
    assert login_as("marketing@gold.demo").get(f"/co-brand/{tid}").status_code == 200


def test_a_new_template_is_a_draft_partners_never_see_until_it_is_published(app, login_as):
    admin = login_as("admin@vendor.demo")
    assert "Partners don't see it until you publish it" in admin.get("/co-brand/new").get_data(as_text=True)
    response = post(admin, "/co-brand/new", template_form())  # an empty audience: everyone, once published
    tid = int(response.headers["Location"].rsplit("/", 1)[1])
    assert "Saved as a draft" in admin.get(f"/co-brand/{tid}").get_data(as_text=True)
    assert '<span class="badge">Draft</span>' in admin.get("/co-brand").get_data(as_text=True)
    marketer = login_as("marketing@gold.demo")
    for url in (f"/co-brand/{tid}", f"/co-brand/{tid}/preview", f"/co-brand/{tid}/thumbnail/1"):
        assert marketer.get(url).status_code == 404, url
    assert create(marketer, tid, "Hello").status_code == 404
    assert "Partner Webinar Invite" not in marketer.get("/co-brand").get_data(as_text=True)
    assert "Partner Webinar Invite" not in htmx_get(marketer, "/rooms/marketing/co-brand").get_data(as_text=True)

    page = admin.get(f"/co-brand/{tid}").get_data(as_text=True)
    assert "Publish this template…" in page and "will see version 1" in page
    assert post(admin, f"/co-brand/{tid}/live", {"live": "1"}).status_code == 303
    assert "Partner Webinar Invite" in marketer.get("/co-brand").get_data(as_text=True)
    assert marketer.get(f"/co-brand/{tid}").status_code == 200
    assert "Published" in admin.get(f"/co-brand/{tid}/edit").get_data(as_text=True)
    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.subject_type == "CobrandTemplate", AuditEvent.subject_id == tid,
                                                                AuditEvent.action.like("cobrand_template.%"))
                                    .order_by(AuditEvent.id)).all()
        assert [event.action for event in events] == ["cobrand_template.created", "cobrand_template.published"]
        assert events[0].after["is_live"] is False and events[1].after["is_live"] is True


def test_a_refused_design_answers_422_and_stores_nothing(app, login_as):
    admin = login_as("admin@vendor.demo")
    before = len(activity(app)), template_id(app, "Partner Webinar Invite")
    response = post(admin, "/co-brand/new", template_form(html=PAGE.format('<img src="file:///etc/passwd">')))
    assert response.status_code == 422
    assert "may only load the portal&#39;s own files" in response.get_data(as_text=True)
    assert template_id(app, "Partner Webinar Invite") is None and before[1] is None


def test_a_design_longer_than_four_pages_is_refused(app, login_as):
    five = "".join(PAGE.format(f"<h1>Page {n}</h1>") for n in range(5))
    response = post(login_as("admin@vendor.demo"), "/co-brand/new", template_form(html=five))
    assert response.status_code == 422
    assert "runs to 5 pages" in response.get_data(as_text=True)


def test_uploaded_html_and_css_replace_the_boxes(app, login_as):
    admin = login_as("admin@vendor.demo")
    data = template_form(html="", css="")
    data["html_file"] = FileStorage(io.BytesIO(PAGE.format("<h1>Uploaded</h1>{{ partner_name }}").encode()),
                                    "invite.html", "text/html")
    data["css_file"] = FileStorage(io.BytesIO(b"h1 { color: #123456 }"), "invite.css", "text/css")
    response = post(admin, "/co-brand/new", data, content_type="multipart/form-data")
    assert response.status_code == 303
    with app.app_context():
        version = db.session.get(CobrandTemplate, int(response.headers["Location"].rsplit("/", 1)[1])).current
        assert "Uploaded" in version.html and version.css == "h1 { color: #123456 }"
    bad = template_form()
    bad["html_file"] = FileStorage(io.BytesIO("<h1>é</h1>".encode("latin-1")), "bad.html", "text/html")
    response = post(admin, "/co-brand/new", bad, content_type="multipart/form-data")
    assert response.status_code == 422 and "not UTF-8 text" in response.get_data(as_text=True)


def test_editing_the_design_makes_a_new_version_and_old_pdfs_keep_theirs(app, login_as):
    tid = template_id(app, FLYER)
    gold_pdf = pdf_rows(app)[0]
    marketer = login_as("marketing@gold.demo")
    old_bytes = download(marketer, gold_pdf.id).data
    admin = login_as("admin@vendor.demo")
    flyer = demo_design("product-overview-flyer", "A4")
    unchanged = template_form(title=FLYER, html=flyer.html, css=flyer.css, description="New words.")
    assert post(admin, f"/co-brand/{tid}/edit", unchanged).status_code == 303
    with app.app_context():
        assert db.session.get(CobrandTemplate, tid).version == 1  # only the description changed
    changed = dict(unchanged, html=flyer.html.replace("Run every workload.", "Run anything, anywhere."))
    assert post(admin, f"/co-brand/{tid}/edit", changed).status_code == 303
    with app.app_context():
        assert db.session.get(CobrandTemplate, tid).version == 2
    assert download(marketer, gold_pdf.id).data == old_bytes  # the old PDF, unchanged
    response = create(marketer, tid, GOLD_MESSAGE)  # same inputs as the seed's, but a new version
    assert made_pdf_id(response) != gold_pdf.id
    assert "Run anything, anywhere." in text_of(download(marketer, made_pdf_id(response)).data)
    page = admin.get(f"/co-brand/{tid}").get_data(as_text=True)
    assert "v2" in page and f"/co-brand/{tid}?v=1" in page
    assert "Run every workload." in admin.get(f"/co-brand/{tid}/preview?v=1").get_data(as_text=True)
    # Partners only ever get the current version.
    assert "Run anything, anywhere." in marketer.get(f"/co-brand/{tid}/preview?v=1").get_data(as_text=True)


def test_only_vendor_admins_edit_templates(app, login_as):
    tid = template_id(app, FLYER)
    for email in ("channel@vendor.demo", "admin@gold.demo", "marketing@gold.demo"):
        client = login_as(email)
        assert client.get("/co-brand/new").status_code == 403, email
        assert client.get(f"/co-brand/{tid}/edit").status_code == 403, email
        assert post(client, "/co-brand/design-preview", template_form()).status_code == 403, email
    assert "Edit" not in login_as("channel@vendor.demo").get(f"/co-brand/{tid}").get_data(as_text=True).split(
        "Sample PDF")[1].split("</div>")[0]


def test_the_design_preview_shows_the_unsaved_design_or_its_problems(app, login_as):
    admin = login_as("admin@vendor.demo")
    response = post(admin, "/co-brand/design-preview", template_form(html=PAGE.format("<h1>Draft</h1>{{ tagline }}")))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<h1>Draft</h1>" in html and "Your cloud, our expertise" in html
    assert "sandbox" in response.headers["Content-Security-Policy"]
    broken = post(admin, "/co-brand/design-preview", template_form(html=PAGE.format("<script>x</script>")))
    assert "&lt;script&gt; is not allowed" in broken.get_data(as_text=True)
    assert template_id(app, "Partner Webinar Invite") is None


def test_the_vendor_sees_who_co_brands_what(app, login_as):
    tid = template_id(app, FLYER)
    create(login_as("marketing@gold.demo"), tid, "Stats.")
    channel = login_as("channel@vendor.demo")
    page = channel.get("/co-brand/activity").get_data(as_text=True)
    assert "Summit Peak Systems" in page and FLYER in page
    row = re.search(r"Summit Peak Systems</a></td>\s*<td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>", page)
    assert row.groups() == ("2", "1", "1")  # made: the seed's and this one; downloaded once; one person
    fragment = htmx_get(channel, f"/co-brand/activity?template={template_id(app, GOLD_ONLY)}")
    assert "No partner has made a co-branded PDF from this template yet." in fragment.get_data(as_text=True)
    assert "Summit Peak Systems" in channel.get(f"/co-brand/{tid}").get_data(as_text=True)
    assert login_as("admin@gold.demo").get("/co-brand/activity").status_code == 403
