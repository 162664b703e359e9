"""Brand kits: who edits and who reads, the form and its live preview, logo uploads (every
refusal stores nothing; accepted logos are re-encoded), colour contrast, brand checks,
audit events, the logo's ETag, and the demo kits."""
import dataclasses
import hashlib
import io
import json
import os
import struct
import zlib

import pytest
import sqlalchemy as sa
from PIL import Image, ImageFile, PngImagePlugin
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from helpers import csrf_token, post
from portal.cobrand import logos, services
from portal.demo.cobrand import GOLD_KIT
from portal.cobrand.models import BrandKit
from portal.core.auth import find_user
from portal.core.models import AuditEvent, Organization, Persona, Role
from portal.extensions import db
from portal.storage import blob_store, read

GOLD, SILVER, VENDOR = "Summit Peak Systems", "Harborline IT", "Acme Cloud"
SILVER_KIT = {"display_name": "Harborline IT", "tagline": "IT that keeps the harbour running",
              "website": "Harborline.example/partners", "email": "hello@harborline.example",
              "phone": "+44 20 7946 0958", "address": "1 Quay Street\n\n  Bristol BS1 4DJ  \nUnited Kingdom",
              "accent_color": "0b5394"}
GOLD_FORM = {name: value or "" for name, value in dataclasses.asdict(GOLD_KIT).items()}


# --- helpers ---------------------------------------------------------------------------------


def org_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Organization.id).where(Organization.name == name))


def saved_kit(app, name: str) -> BrandKit | None:
    with app.app_context():
        kit = db.session.scalar(sa.select(BrandKit).join(Organization, BrandKit.org).where(Organization.name == name))
        if kit is not None:
            db.session.expunge(kit)
        return kit


def find_user_id(app, email: str) -> int:
    with app.app_context():
        return find_user(email).id


def events(app, org: str = SILVER, prefix: str = "brand_kit.") -> list[AuditEvent]:
    """The org's brand kit audit events, oldest first (the demo seed wrote Gold's first one)."""
    with app.app_context():
        rows = db.session.scalars(
            sa.select(AuditEvent).join(Organization, AuditEvent.org)
            .where(Organization.name == org, AuditEvent.action.startswith(prefix)).order_by(AuditEvent.id)
        ).all()
        db.session.expunge_all()
        return rows


def stored_files(app) -> set:
    return {blob.id for blob in blob_store(app).iter_blobs()}


def blob(app, sha: str) -> bytes:
    return read(blob_store(app), sha)


def image_bytes(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def png(size=(600, 200), mode="RGB", color="navy", **options) -> bytes:
    return image_bytes(Image.new(mode, size, color), "PNG", **options)


def png_with_alpha_and_metadata() -> bytes:
    image = Image.new("RGBA", (640, 320), (0, 0, 0, 0))  # transparent background
    image.paste((29, 107, 79, 255), (100, 80, 540, 240))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Secret Designer")
    info.add_text("Comment", "made on the CEO's laptop")
    return image_bytes(image, "PNG", pnginfo=info, dpi=(300, 300))


def cmyk_jpeg_with_metadata(orientation: int | None = None) -> bytes:
    image = Image.new("CMYK", (480, 320), (0, 255, 255, 0))  # pure red ink
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0131] = "PhotoEditor 9"  # Software
    if orientation:
        exif[0x0112] = orientation
    return image_bytes(image, "JPEG", exif=exif.tobytes(), comment=b"internal only", quality=95)


def noise_png(width: int, height: int) -> bytes:
    """Random pixels don't compress: about 3 bytes per pixel on disk."""
    return image_bytes(Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)), "PNG")


def png_claiming_size(width: int, height: int) -> bytes:
    """A small PNG whose header claims another size (a decompression bomb's trick)."""
    data = bytearray(png((8, 8)))
    ihdr = data[12:29]  # b"IHDR" + 13 bytes of fields
    fields = struct.pack(">II", width, height) + bytes(ihdr[12:17])
    data[16:29] = fields
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + fields))
    return bytes(data)


def upload(client, data: bytes, filename: str = "logo.png", **fields):
    """POST the brand kit form with a logo. The body is encoded here, in memory: the test
    client would spool a big one to a temporary file that nothing closes."""
    form = {"csrf_token": csrf_token(client), "display_name": "Harborline IT", **fields,
            "logo": FileStorage(io.BytesIO(data), filename=filename)}
    boundary, body = encode_multipart(form)
    return client.post("/brand-kit", data=body, content_type=f"multipart/form-data; boundary={boundary}")


# --- who edits, who reads --------------------------------------------------------------------


@pytest.mark.parametrize("email", ["admin@gold.demo", "marketing@gold.demo"])
def test_the_admin_and_marketing_edit_their_kit(login_as, email):
    client = login_as(email)
    page = client.get("/brand-kit").get_data(as_text=True)
    assert 'id="brand-kit-form"' in page and 'enctype="multipart/form-data"' in page
    assert 'value="Summit Peak Systems"' in page and "Cloud infrastructure, from base camp to summit" in page
    assert '<details class="confirm">' in page and "Remove logo" in page
    assert 'href="/co-brand"' in page and ">Co-branding</a>" in page  # the nav link, to templates and the kit


@pytest.mark.parametrize("email", ["sales@gold.demo", "presales@gold.demo"])
def test_other_people_of_the_org_read_it_and_cannot_change_it(app, login_as, email):
    client = login_as(email)
    response = client.get("/brand-kit")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "brand-kit-form" not in page and "Remove logo" not in page and ">Brand kit</a>" not in page
    assert "Summit Peak Systems" in page and "partners@summitpeak.example" in page
    before = saved_kit(app, GOLD)
    assert post(client, "/brand-kit", {"display_name": "Hijacked"}).status_code == 403
    assert post(client, "/brand-kit/preview", {"display_name": "x"}, htmx=True).status_code == 403
    assert post(client, "/brand-kit/logo/remove").status_code == 403
    after = saved_kit(app, GOLD)
    assert (after.display_name, after.logo_sha256) == (before.display_name, before.logo_sha256)


def test_may_edit_follows_role_and_persona(ctx, demo):
    gold = find_user("admin@gold.demo").org
    assert services.may_edit(find_user("admin@gold.demo"), gold)
    assert services.may_edit(find_user("marketing@gold.demo"), gold)
    assert not services.may_edit(find_user("sales@gold.demo"), gold)
    assert not services.may_edit(find_user("admin@silver.demo"), gold)  # another org
    assert not services.may_edit(find_user("admin@vendor.demo"))
    sales = find_user("sales@gold.demo")
    sales.persona = Persona.marketing  # moved to the marketing room by the admin
    assert services.may_edit(sales, gold)
    sales.role = Role.partner_admin
    sales.persona = Persona.presales
    assert services.may_edit(sales, gold)


def test_vendor_staff_read_any_partners_kit_but_have_none_of_their_own(app, login_as):
    client = login_as("channel@vendor.demo")
    assert client.get("/brand-kit").status_code == 404  # vendor staff have no kit: not found
    page = client.get(f"/brand-kit/{org_id(app, GOLD)}").get_data(as_text=True)
    assert "Brand kit of Summit Peak Systems" in page and "partners@summitpeak.example" in page
    assert "brand-kit-form" not in page and "Remove logo" not in page
    assert f'href="/partners/{org_id(app, GOLD)}"' in page
    silver = client.get(f"/brand-kit/{org_id(app, SILVER)}").get_data(as_text=True)
    assert "hasn" in silver and "filled in its brand kit" in silver
    assert client.get(f"/brand-kit/{org_id(app, VENDOR)}").status_code == 404  # not a partner
    assert client.get("/brand-kit/999999").status_code == 404
    assert post(client, "/brand-kit", {"display_name": "x"}).status_code == 404
    assert post(client, "/brand-kit/logo/remove").status_code == 404


def test_another_orgs_kit_and_logo_are_not_found(app, login_as):
    client = login_as("admin@silver.demo")
    gold = org_id(app, GOLD)
    assert client.get(f"/brand-kit/{gold}").status_code == 404
    assert client.get(f"/brand-kit/{gold}/logo").status_code == 404
    own = client.get(f"/brand-kit/{org_id(app, SILVER)}")
    assert own.status_code == 200 and "brand-kit-form" in own.get_data(as_text=True)


# --- the empty state and the demo --------------------------------------------------------------


def test_silvers_kit_is_empty_and_says_so(app, login_as):
    editor = login_as("admin@silver.demo").get("/brand-kit").get_data(as_text=True)
    assert "Your brand kit is empty:</strong> add your logo and contact details so co-branded PDFs carry them" in editor
    assert "ask your admin or a marketing colleague" not in editor
    assert 'value="Harborline IT"' in editor  # the display name defaults to the org's name
    assert "Summit" not in editor and "summitpeak" not in editor  # not even in a hint: partners compete
    reader = login_as("sales@silver.demo").get("/brand-kit").get_data(as_text=True)
    assert "Your brand kit is empty" in reader and "ask your admin or a marketing colleague" in reader
    assert saved_kit(app, SILVER) is None
    gold = login_as("sales@gold.demo").get("/brand-kit").get_data(as_text=True)
    assert "Your brand kit is empty" not in gold


def test_the_demo_gives_gold_a_full_kit_with_a_generated_logo(app, ctx, demo):
    gold = db.session.scalar(sa.select(Organization).where(Organization.name == GOLD))
    kit = services.kit_for(gold)
    assert kit.id is not None and not kit.is_empty
    assert (kit.display_name, kit.website, kit.accent_color) == (GOLD, "https://summitpeak.example", "#1D6B4F")
    assert kit.tagline and kit.email and kit.phone and len(kit.address_lines) == 4
    with Image.open(io.BytesIO(blob(app, kit.logo_sha256))) as logo:
        assert logo.format == "PNG" and logo.mode == "RGBA" and logo.width >= 600
        assert (logo.width, logo.height) == (kit.logo_width, kit.logo_height)
    assert services.brand_checks(kit) == []
    silver = services.kit_for(db.session.scalar(sa.select(Organization).where(Organization.name == SILVER)))
    assert silver.id is None and silver.is_empty and silver.display_name == SILVER
    assert "Add your logo." in services.brand_checks(silver)


# --- saving ----------------------------------------------------------------------------------


def test_saving_normalises_redirects_and_records_an_audit_event(app, login_as):
    client = login_as("marketing@silver.demo")
    response = post(client, "/brand-kit", SILVER_KIT)
    assert response.status_code == 303 and response.headers["Location"] == "/brand-kit"
    assert "Brand kit saved." in client.get("/brand-kit").get_data(as_text=True)
    kit = saved_kit(app, SILVER)
    assert kit.website == "https://harborline.example/partners"
    assert kit.accent_color == "#0B5394"
    assert kit.address == "1 Quay Street\nBristol BS1 4DJ\nUnited Kingdom"
    assert kit.logo_sha256 is None
    [created] = events(app)
    assert created.action == "brand_kit.created" and created.org_id == org_id(app, SILVER)
    assert created.actor_id == find_user_id(app, "marketing@silver.demo")
    assert created.before is None and created.after["tagline"] == "IT that keeps the harbour running"

    assert post(client, "/brand-kit", {**SILVER_KIT, "tagline": "Harbour-grade IT"}).status_code == 303
    updated = events(app)[-1]
    assert updated.action == "brand_kit.updated"
    assert updated.before["tagline"] == "IT that keeps the harbour running"
    assert updated.after["tagline"] == "Harbour-grade IT"

    assert post(client, "/brand-kit", {**SILVER_KIT, "tagline": "Harbour-grade IT"}).status_code == 303
    assert len(events(app)) == 2  # nothing changed: nothing written
    assert "Nothing had changed" in client.get("/brand-kit").get_data(as_text=True)


@pytest.mark.parametrize("field, value, message", [
    ("display_name", "  ", "Enter the name to print."),
    ("accent_color", "#12345", "Enter a colour as # and six hex digits"),
    ("accent_color", "red", "Enter a colour as # and six hex digits"),
    ("website", "javascript:alert(1)", "Enter your website"),
    ("website", "not a site", "Enter your website"),
    ("email", "nobody@", "Enter an email address"),
    ("phone", "call me", "Enter a phone number with 7 to 20 digits"),
    ("tagline", "x" * 81, "Field cannot be longer than 80 characters."),
    ("address", "\n".join(f"Line {n}" for n in range(7)), "Keep the address to 6 lines"),
])
def test_invalid_input_answers_422_with_the_fields_message_and_saves_nothing(app, login_as, field, value, message):
    client = login_as("admin@silver.demo")
    response = post(client, "/brand-kit", {**SILVER_KIT, field: value})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in page and message in page
    assert f'aria-describedby="{field}-error"' in page
    assert "Please fix the fields marked below" in page
    assert saved_kit(app, SILVER) is None and events(app) == []


# --- the live preview ------------------------------------------------------------------------


def test_the_preview_is_a_fragment_for_htmx_and_a_page_without(login_as):
    client = login_as("admin@silver.demo")
    fragment = post(client, "/brand-kit/preview", {**SILVER_KIT, "accent_color": "#FF9900"}, htmx=True)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "HX-Request" in fragment.headers["Vary"]
    assert html.lstrip().startswith('<section id="kit-preview"') and "<html" not in html
    assert "IT that keeps the harbour running" in html and "harborline.example/partners" in html
    assert "Text in this colour will be hard to read on white (2.1:1; aim for 4.5:1)." in html
    assert "Bristol BS1 4DJ" in html
    as_htmx_sends_it = client.post("/brand-kit/preview", data=SILVER_KIT,  # the token in a header only
                                   headers={"HX-Request": "true", "X-CSRFToken": csrf_token(client)})
    assert as_htmx_sends_it.status_code == 200 and "Bristol BS1 4DJ" in as_htmx_sends_it.get_data(as_text=True)
    page = post(client, "/brand-kit/preview", SILVER_KIT)
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    assert "hard to read" not in page.get_data(as_text=True)  # #0B5394 is dark enough


def test_the_preview_skips_invalid_values_and_escapes_what_it_shows(login_as):
    client = login_as("admin@silver.demo")
    html = post(client, "/brand-kit/preview", {"display_name": "<b>Harbor</b>", "accent_color": "nope",
                                               "website": "javascript:alert(1)"}, htmx=True).get_data(as_text=True)
    assert "&lt;b&gt;Harbor&lt;/b&gt;" in html and "<b>Harbor" not in html
    assert "javascript" not in html and "Sample heading" not in html  # invalid values are left out


def test_the_page_wires_the_preview_to_the_form(login_as):
    page = login_as("admin@silver.demo").get("/brand-kit").get_data(as_text=True)
    assert 'hx-post="/brand-kit/preview"' in page
    assert 'hx-trigger="input changed delay:300ms from:#brand-kit-form"' in page
    assert 'hx-target="#kit-preview"' in page and 'hx-include="#kit-fields"' in page


# --- logo uploads ----------------------------------------------------------------------------


def _webp() -> bytes:
    try:
        return image_bytes(Image.new("RGB", (600, 200), "red"), "WEBP")
    except (KeyError, OSError):  # Pillow without WebP: the signature is what we look at
        return b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(40)


REFUSED = {
    "svg": (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="600" height="200">'
            b'<rect width="600" height="200"/></svg>', "logo.svg", "an SVG image"),
    "svg named .png": (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.png",
                       "an SVG image"),
    "gif": (image_bytes(Image.new("RGB", (600, 200), "red"), "GIF"), "logo.gif", "a GIF image"),
    "webp": (_webp(), "logo.webp", "a WebP image"),
    "pdf": (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "logo.pdf", "a PDF"),
    "text renamed .png": (b"This is not a picture of anything.\n", "logo.png", "not an image we can read"),
    "empty": (b"", "logo.png", "This file is empty."),
    "truncated png": (noise_png(400, 300)[:120_000], "logo.png", "PNG image is damaged or incomplete"),
    "truncated jpeg": (image_bytes(Image.frombytes("RGB", (600, 400), os.urandom(720_000)), "JPEG")[:-4000],
                       "logo.jpg", "JPEG image is damaged or incomplete"),
    "too small": (png((200, 100)), "logo.png", "200 × 100 px, too small to print sharply"),
    "too many pixels": (png((5001, 5001), mode="1", color=1), "logo.png", "too many pixels (5001 × 5001 px)"),
    "decompression bomb": (png_claiming_size(100_000, 100_000), "logo.png", "too many pixels"),
    "too many bytes": (noise_png(1500, 1300), "logo.png", "too large for a logo"),
}


def test_every_refused_logo_gets_a_clear_message_and_nothing_is_stored(app, login_as):
    assert len(REFUSED["too many bytes"][0]) > logos.MAX_LOGO_BYTES
    client = login_as("admin@silver.demo")
    before = stored_files(app)
    for case, (data, filename, message) in REFUSED.items():
        response = upload(client, data, filename, tagline="Harbour-grade IT")
        page = response.get_data(as_text=True)
        assert response.status_code == 422, case
        assert 'id="logo-error"' in page and message in page, case
        assert "Logos must be PNG or JPEG" in page, case
        assert stored_files(app) == before, case
        assert saved_kit(app, SILVER) is None, case
    assert events(app) == []


def test_an_upload_past_the_request_limit_is_413_and_stores_nothing(app, login_as):
    client = login_as("admin@silver.demo")
    app.config["MAX_CONTENT_LENGTH"] = 20_000
    before = stored_files(app)
    assert upload(client, noise_png(100, 100)).status_code == 413
    assert stored_files(app) == before and saved_kit(app, SILVER) is None


def test_a_good_logo_with_a_bad_field_is_not_stored_and_asks_to_choose_it_again(app, login_as):
    client = login_as("admin@silver.demo")
    before = stored_files(app)
    response = upload(client, png(), accent_color="blue")
    assert response.status_code == 422
    assert "choose the logo again" in response.get_data(as_text=True)
    assert stored_files(app) == before and saved_kit(app, SILVER) is None


def test_a_png_with_transparency_is_re_encoded_without_its_metadata(app, login_as):
    client = login_as("marketing@silver.demo")
    original = png_with_alpha_and_metadata()
    before = stored_files(app)
    assert upload(client, original, "brand.PNG").status_code == 303
    kit = saved_kit(app, SILVER)
    stored = blob(app, kit.logo_sha256)
    assert kit.logo_sha256 != hashlib.sha256(original).hexdigest() and stored != original
    assert len(stored_files(app) - before) == 1
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG" and image.mode == "RGBA" and image.size == (640, 320)
        assert image.getpixel((0, 0))[3] == 0 and image.getpixel((320, 160)) == (29, 107, 79, 255)
        assert not image.text and "dpi" not in image.info and "exif" not in image.info
    assert (kit.logo_kind, kit.logo_width, kit.logo_height) == ("png", 640, 320)
    [event] = events(app)
    assert event.after["logo"] == {"sha256": kit.logo_sha256, "kind": "png", "width": 640, "height": 320}
    assert len(json.dumps(event.after)) < 1000  # the hash and size, never the bytes


def test_a_cmyk_jpeg_becomes_an_rgb_jpeg_without_exif(app, login_as):
    client = login_as("admin@silver.demo")
    original = cmyk_jpeg_with_metadata()
    assert upload(client, original, "print-logo.jpg").status_code == 303
    kit = saved_kit(app, SILVER)
    stored = blob(app, kit.logo_sha256)
    assert kit.logo_sha256 != hashlib.sha256(original).hexdigest() and kit.logo_kind == "jpeg"
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and image.mode == "RGB" and image.size == (480, 320)
        red, green, blue = image.getpixel((240, 160))
        assert red > 220 and green < 40 and blue < 40
        assert "exif" not in image.info and "comment" not in image.info and "icc_profile" not in image.info
        assert b"SecretCam" not in stored and b"internal only" not in stored


def test_replacing_and_removing_the_logo(app, login_as):
    client = login_as("admin@gold.demo")
    old = saved_kit(app, GOLD).logo_sha256
    assert upload(client, png((900, 300), color="teal"), **GOLD_FORM).status_code == 303
    new = saved_kit(app, GOLD).logo_sha256
    assert new != old
    changed = events(app, GOLD)[-1]
    assert changed.summary.endswith(": new logo") and changed.before["tagline"] == changed.after["tagline"]
    assert (changed.before["logo"]["sha256"], changed.after["logo"]["sha256"]) == (old, new)

    response = post(client, "/brand-kit/logo/remove")
    assert response.status_code == 303 and response.headers["Location"] == "/brand-kit"
    kit = saved_kit(app, GOLD)
    assert kit.logo_sha256 is None and kit.logo_width is None and kit.display_name == GOLD
    removed = events(app, GOLD)[-1]
    assert removed.action == "brand_kit.logo_removed"
    assert removed.before["logo"]["sha256"] == new and removed.after["logo"] is None
    assert blob_store(app).exists(new)  # content-addressed: kept
    page = client.get("/brand-kit").get_data(as_text=True)
    assert "Logo removed." in page and "Add your logo." in page
    assert client.get(f"/brand-kit/{org_id(app, GOLD)}/logo").status_code == 404
    assert post(client, "/brand-kit/logo/remove").status_code == 303
    assert [e.action for e in events(app, GOLD)] == ["brand_kit.created", "brand_kit.updated", "brand_kit.logo_removed"]


# --- serving the logo ------------------------------------------------------------------------


def test_the_logo_is_served_with_its_hash_as_etag(app, login_as):
    gold = org_id(app, GOLD)
    sha = saved_kit(app, GOLD).logo_sha256
    client = login_as("sales@gold.demo")
    page = client.get("/brand-kit").get_data(as_text=True)
    assert f"/brand-kit/{gold}/logo?v={sha[:16]}" in page
    with client.get(f"/brand-kit/{gold}/logo") as response:
        assert response.status_code == 200 and response.mimetype == "image/png"
        assert response.headers["ETag"] == f'"{sha}"'
        assert "private" in response.headers["Cache-Control"]
        assert response.data == blob(app, sha)
    with client.get(f"/brand-kit/{gold}/logo", headers={"If-None-Match": f'"{sha}"'}) as response:
        assert response.status_code == 304 and not response.data
    with login_as("channel@vendor.demo").get(f"/brand-kit/{gold}/logo") as response:
        assert response.status_code == 200
    assert login_as("sales@silver.demo").get(f"/brand-kit/{org_id(app, SILVER)}/logo").status_code == 404


# --- logos, without the app --------------------------------------------------------------------


def test_exif_rotation_is_applied_before_the_exif_is_dropped():
    logo = logos.prepare_logo(cmyk_jpeg_with_metadata(orientation=6))  # "rotate 90° clockwise"
    assert (logo.width, logo.height) == (320, 480)
    with Image.open(io.BytesIO(logo.data)) as image:
        assert image.size == (320, 480) and "exif" not in image.info


def test_palette_and_16_bit_images_convert_sensibly_and_big_ones_shrink():
    palette = Image.new("P", (400, 300), 1)
    palette.putpalette([255, 255, 255, 200, 30, 30] + [0] * 762)
    palette.paste(0, (0, 0, 100, 300))
    logo = logos.prepare_logo(image_bytes(palette, "PNG", transparency=0))
    with Image.open(io.BytesIO(logo.data)) as image:
        assert image.mode == "RGBA" and image.getpixel((10, 10))[3] == 0
        assert image.getpixel((200, 10)) == (200, 30, 30, 255)
    grey = logos.prepare_logo(image_bytes(Image.new("I;16", (400, 300), 40000), "PNG"))
    with Image.open(io.BytesIO(grey.data)) as image:
        assert image.mode == "RGB" and 150 <= image.getpixel((0, 0))[0] <= 160  # not clipped to white
    big = logos.prepare_logo(png((3000, 1000)))
    assert (big.width, big.height) == (logos.MAX_STORED_EDGE, 800)


@pytest.mark.parametrize("tolerant", [False, True])
def test_a_truncated_jpeg_is_refused_even_where_pillow_tolerates_truncation(monkeypatch, tolerant):
    # Importing WeasyPrint sets this process-wide flag; Pillow then decodes a cut-off JPEG.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", tolerant)
    whole = image_bytes(Image.frombytes("RGB", (600, 400), os.urandom(720_000)), "JPEG", progressive=True)
    assert logos.prepare_logo(whole + b"camera trailer").width == 600  # bytes after the end marker are fine
    for cut in (2, 4000, len(whole) // 2):
        with pytest.raises(logos.FileRejected, match="damaged or incomplete"):
            logos.prepare_logo(whole[:-cut])


def test_a_logo_exactly_at_the_print_minimum_is_accepted():
    assert logos.prepare_logo(png((logos.MIN_PRINT_EDGE, 50))).width == logos.MIN_PRINT_EDGE
    with pytest.raises(logos.FileRejected):
        logos.prepare_logo(png((logos.MIN_PRINT_EDGE - 1, logos.MIN_PRINT_EDGE - 1)))


# --- colour maths ----------------------------------------------------------------------------


def test_relative_luminance_and_contrast_follow_wcag():
    assert services.relative_luminance("#000000") == 0
    assert services.relative_luminance("#FFFFFF") == pytest.approx(1)
    assert services.contrast_on_white("#000000") == pytest.approx(21)
    assert services.contrast_on_white("#777777") == pytest.approx(4.48, abs=0.005)
    assert services.contrast_on_white("#FFFFFF") == pytest.approx(1)
    assert services.contrast_on_white("#767676") == pytest.approx(4.54, abs=0.005)  # the lightest grey that passes
    assert services.contrast_ratio("#0000FF", "#FFFF00") == services.contrast_ratio("#FFFF00", "#0000FF")
    assert services.contrast_ratio("#0000FF", "#FFFF00") == pytest.approx(8.0, abs=0.01)
    assert services.relative_luminance("#ff0000") == pytest.approx(0.2126)
    with pytest.raises(ValueError):
        services.relative_luminance("red")


def test_ratios_are_shown_without_rounding_up_to_the_target():
    assert services.format_ratio(21) == "21:1"
    assert services.format_ratio(1) == "1:1"
    assert services.format_ratio(2.0627) == "2.1:1"
    assert services.format_ratio(4.478) == "4.48:1"  # not "4.5:1", which would pass
    assert services.format_ratio(4.4999) == "4.49:1"
    assert services.format_ratio(4.54) == "4.5:1"


def test_the_contrast_warning_is_for_light_colours_only():
    assert services.contrast_warning("#FF9900") == \
        "Text in this colour will be hard to read on white (2.1:1; aim for 4.5:1)."
    assert services.contrast_warning("#777777") == \
        "Text in this colour will be hard to read on white (4.48:1; aim for 4.5:1)."
    assert services.contrast_warning("#767676") is None
    assert services.contrast_warning("#1D6B4F") is None
    assert services.contrast_warning(None) is None and services.contrast_warning("nope") is None


def test_colours_and_websites_are_normalised():
    assert services.normalize_color("1d6b4f") == services.normalize_color(" #1D6B4F ") == "#1D6B4F"
    assert services.normalize_color("#1D6B4") is None and services.normalize_color("#GGGGGG") is None
    assert services.normalize_website("Summitpeak.example") == "https://summitpeak.example"
    shop = "http://shop.summitpeak.example/EU?x=1"
    assert services.normalize_website(shop.replace("shop.summitpeak", "SHOP.Summitpeak")) == shop
    for bad in ("javascript:alert(1)", "ftp://summitpeak.example", "localhost", "https://user@host.example",
                "summit peak.example", "https://summitpeak.example:0", "https://-bad-.example", ""):
        assert services.normalize_website(bad) is None, bad
    assert services.is_phone("+1 (303) 555-0142 ext. 12") and not services.is_phone("555")


# --- brand checks ----------------------------------------------------------------------------


def kit(**values) -> BrandKit:
    defaults = dict(display_name="Summit Peak Systems", website="", email="sales@summitpeak.example", phone="",
                    address="", tagline="", accent_color="#1D6B4F", logo_sha256="a" * 64, logo_kind="png",
                    logo_width=760, logo_height=240)
    return BrandKit(**{**defaults, **values})


def test_brand_checks_list_what_to_fix_before_co_branding():
    assert services.brand_checks(kit()) == []
    assert services.brand_checks(kit(logo_sha256=None)) == ["Add your logo."]
    [small] = services.brand_checks(kit(logo_width=200, logo_height=80))
    assert "200 × 80 px" in small and "at least 300 px" in small
    [contrast] = services.brand_checks(kit(accent_color="#FF9900"))
    assert "(2.1:1; aim for 4.5:1)" in contrast
    assert services.brand_checks(kit(display_name="  ")) == ["Add the name to print on co-branded material."]
    assert services.brand_checks(kit(email="")) == [
        "Add a way to reach you: an email address, a phone number or a website."]
    assert services.brand_checks(kit(email="", phone="+1 303 555 0142")) == []
    assert services.brand_checks(kit(accent_color=None)) == []  # no colour: the template's default
    assert len(services.brand_checks(kit(display_name="", logo_sha256=None, email="", accent_color="#FFFF00"))) == 4


@pytest.mark.parametrize("tolerant", [False, True])
@pytest.mark.parametrize("chunk_type, prefix", [(b"zTXt", b"Comment\0\0"), (b"iCCP", b"icc\0\0")])
def test_a_png_whose_chunk_inflates_hugely_is_never_inflated(monkeypatch, chunk_type, prefix, tolerant):
    """A 200 KB logo with a compressed chunk of 200 MiB: Pillow's chunk limits stop it
    before it is inflated. Refused, or (where WeasyPrint made Pillow tolerant) kept
    without the chunk, and never a memory spike."""
    import tracemalloc
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", tolerant)
    png = image_bytes(Image.new("RGB", (400, 300), "red"), "PNG")
    payload = prefix + zlib.compress(bytes(200 * 1024 * 1024), 9)
    chunk = struct.pack(">I", len(payload)) + chunk_type + payload + struct.pack(">I", zlib.crc32(chunk_type + payload))
    tracemalloc.start()
    try:
        logo = logos.prepare_logo(png[:33] + chunk + png[33:])
    except logos.FileRejected as refused:
        logo = None
        assert "damaged or incomplete" in str(refused)
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < 30 * 1024 * 1024
    assert logo is None or (chunk_type not in logo.data and b"Comment" not in logo.data)
