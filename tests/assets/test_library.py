"""The library, asset pages, previews, downloads, versions and the vendor's upkeep."""
import io
import re
import zipfile
from datetime import timedelta

import sqlalchemy as sa
from PIL import Image

from helpers import htmx_get, post
from portal.assets.models import Asset, AssetType, AssetVersion, Download
from portal.core import clock
from portal.core.access import AudienceSpec
from portal.core.auth import find_user
from portal.core.models import AuditEvent, Persona, Region
from portal.extensions import db
from portal.storage import blob_store

EMEA_ONLY = AudienceSpec(regions=frozenset({Region.EMEA}))


def png_bytes(color="red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(out, "PNG")
    return out.getvalue()


def titles(html: str) -> set[str]:
    return set(re.findall(r'<h3><a href="/assets/\d+">([^<]+)</a></h3>', html))


def download(client, asset_id: int, **form):
    """POST a download; returns (status, body) and closes the streamed file."""
    with post(client, f"/assets/{asset_id}/download", form) as response:
        return response.status_code, response.data


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def stored_files(app) -> set:
    return {blob.id for blob in blob_store(app).iter_blobs()}


# --- library -------------------------------------------------------------------------------


def test_library_shows_only_what_the_partner_may_see(add_asset, login_as):
    add_asset(title="Open Datasheet")
    add_asset(title="EMEA Only Sheet", spec=EMEA_ONLY)
    add_asset(title="Gold Floor Sheet", spec=AudienceSpec.tier_floor("gold"))

    gold_na = titles(login_as("sales@gold.demo").get("/assets").get_data(as_text=True))
    silver_emea = titles(login_as("sales@silver.demo").get("/assets").get_data(as_text=True))
    vendor = titles(login_as("channel@vendor.demo").get("/assets").get_data(as_text=True))

    assert {"Open Datasheet", "Gold Floor Sheet"} <= gold_na and "EMEA Only Sheet" not in gold_na
    assert {"Open Datasheet", "EMEA Only Sheet"} <= silver_emea and "Gold Floor Sheet" not in silver_emea
    assert {"Open Datasheet", "EMEA Only Sheet", "Gold Floor Sheet"} <= vendor


def test_expired_and_scheduled_assets_are_hidden_from_partners_but_marked_for_the_vendor(add_asset, login_as):
    now = clock.now()
    expired = add_asset(title="Old Price List", publish_at=now - timedelta(days=30), expire_at=now - timedelta(days=1))
    scheduled = add_asset(title="Future Launch Deck", publish_at=now + timedelta(days=3))
    partner, vendor = login_as("sales@gold.demo"), login_as("admin@vendor.demo")

    listed = titles(partner.get("/assets").get_data(as_text=True))
    assert not {"Old Price List", "Future Launch Deck"} & listed
    assert partner.get(f"/assets/{expired}").status_code == 404
    assert partner.get(f"/assets/{scheduled}").status_code == 404

    page = vendor.get(f"/assets/{expired}").get_data(as_text=True)
    assert 'class="status status-expired"' in page
    assert 'class="status status-scheduled"' in vendor.get(f"/assets/{scheduled}").get_data(as_text=True)


def test_library_filters_sort_and_fragment(add_asset, login_as):
    add_asset(title="Sales Battlecard", asset_type=AssetType.battlecard, spec=AudienceSpec(personas=frozenset({Persona.sales})))
    add_asset(title="Marketing Brochure", asset_type=AssetType.brochure, spec=AudienceSpec(personas=frozenset({Persona.marketing})))
    add_asset(title="German Datasheet", language="de")
    client = login_as("admin@vendor.demo")

    assert titles(client.get("/assets?type=battlecard").get_data(as_text=True)) >= {"Sales Battlecard"}
    assert "Marketing Brochure" not in titles(client.get("/assets?type=battlecard").get_data(as_text=True))
    by_persona = titles(client.get("/assets?persona=marketing").get_data(as_text=True))
    assert "Marketing Brochure" in by_persona and "Sales Battlecard" not in by_persona
    assert "German Datasheet" in by_persona  # made for every persona
    german = titles(client.get("/assets?language=de").get_data(as_text=True))
    assert "German Datasheet" in german and not {"Sales Battlecard", "Marketing Brochure"} & german

    fragment = htmx_get(client, "/assets?sort=title&type=bogus").get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="results"')
    assert "<html" not in fragment
    names = re.findall(r'<h3><a href="/assets/\d+">([^<]+)</a></h3>', fragment)
    assert names == sorted(names, key=str.lower) or names == sorted(names)


def test_library_paginates(app, add_asset, login_as):
    app.config["PAGE_SIZE"] = 3
    for n in range(7):
        add_asset(title=f"Paged {n}")
    client = login_as("admin@vendor.demo")
    first = client.get("/assets?sort=title").get_data(as_text=True)
    assert "Page 1 of" in first and len(titles(first)) == 3
    assert len(titles(client.get("/assets?sort=title&page=2").get_data(as_text=True))) == 3


def test_library_empty_state(login_as):
    page = login_as("sales@gold.demo").get("/assets?type=logo_pack&language=ja").get_data(as_text=True)
    assert "No asset matches these filters" in page


# --- detail, preview, download -------------------------------------------------------------


def test_detail_preview_and_related(add_asset, login_as, product_id):
    image = add_asset(title="Logo", asset_type=AssetType.logo_pack, filename="logo.png", data=png_bytes(),
                      product_id=product_id)
    add_asset(title="Another Logo", asset_type=AssetType.logo_pack, filename="logo2.png", data=png_bytes("blue"),
              product_id=product_id)
    client = login_as("marketing@gold.demo")

    page = client.get(f"/assets/{image}").get_data(as_text=True)
    assert f'/assets/{image}/preview' in page and "Another Logo" in page

    with client.get(f"/assets/{image}/preview") as preview:
        assert preview.status_code == 200 and preview.mimetype == "image/png"
        assert Image.open(io.BytesIO(preview.data)).size == (40, 30)


def test_text_assets_have_no_preview(add_asset, login_as):
    asset = add_asset(title="Notes")
    assert login_as("sales@gold.demo").get(f"/assets/{asset}/preview").status_code == 404


def test_download_sends_the_file_and_records_who_when_and_which_version(app, add_asset, login_as):
    asset = add_asset(title="Sheet", text="# Sheet\nThe words.", filename="sheet.md")
    client = login_as("sales@gold.demo")

    with post(client, f"/assets/{asset}/download") as response:
        assert response.status_code == 200
        assert response.data == b"# Sheet\nThe words."
        assert 'attachment; filename=sheet.md' in response.headers["Content-Disposition"]
    with app.app_context():
        (download,) = db.session.scalars(sa.select(Download).where(Download.asset_id == asset)).all()
        user = find_user("sales@gold.demo")
        assert (download.asset_id, download.user_id, download.org_id, download.version_number) == \
            (asset, user.id, user.org_id, 1)
        assert db.session.get(Asset, asset).download_count == 1


def test_vendor_downloads_are_recorded_but_not_counted_as_popularity(app, add_asset, login_as):
    asset = add_asset()
    assert download(login_as("admin@vendor.demo"), asset)[0] == 200
    assert count(app, Download, Download.asset_id == asset) == 1
    with app.app_context():
        assert db.session.get(Asset, asset).download_count == 0


def test_hidden_asset_is_404_everywhere_for_that_partner(app, add_asset, login_as):
    asset = add_asset(title="EMEA Secret", spec=EMEA_ONLY)
    client = login_as("sales@gold.demo")
    assert client.get(f"/assets/{asset}").status_code == 404
    assert client.get(f"/assets/{asset}/preview").status_code == 404
    assert download(client, asset)[0] == 404
    assert count(app, Download, Download.asset_id == asset) == 0


def test_partner_cannot_pick_an_older_version(add_asset, login_as, app):
    asset = add_asset(text="version one", filename="a.md")
    vendor = login_as("admin@vendor.demo")
    post(vendor, f"/assets/{asset}/versions", {"file": (io.BytesIO(b"version two"), "a.md")},
         content_type="multipart/form-data")
    partner = login_as("sales@gold.demo")
    assert download(partner, asset, version="1") == (200, b"version two")
    assert download(vendor, asset, version="1") == (200, b"version one")


# --- upload --------------------------------------------------------------------------------


def asset_form(**overrides) -> dict:
    data = {"title": "Uploaded Sheet", "summary": "A summary", "asset_type": "datasheet", "product_id": "0",
            "tags": "alpha, beta", "language": "en", "publish_at": "2026-01-01T09:00", "expire_at": ""}
    data.update(overrides)
    return data


def upload(client, url="/assets/new", **overrides):
    return post(client, url, asset_form(**overrides), content_type="multipart/form-data")


def test_vendor_admin_uploads_an_asset(app, login_as):
    client = login_as("admin@vendor.demo")
    assert client.get("/assets/new").status_code == 200

    response = upload(client, file=(io.BytesIO(png_bytes()), "logo.png"),
                      **{"audience-regions": "EMEA"})

    assert response.status_code == 303
    with app.app_context():
        asset = db.session.scalar(sa.select(Asset).where(Asset.title == "Uploaded Sheet"))
        assert asset.version == 1 and asset.current.kind == "png" and asset.current.preview_sha256
        assert asset.tags == "alpha, beta" and asset.audience.regions != 0
        assert blob_store(app).exists(asset.current.sha256)
        assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.subject_id == asset.id)) == "asset.created"


def test_a_file_whose_content_does_not_match_its_name_is_refused_and_nothing_is_stored(app, login_as):
    client = login_as("admin@vendor.demo")
    assets, files = count(app, Asset), stored_files(app)
    response = upload(client, file=(io.BytesIO(png_bytes()), "datasheet.pdf"))
    assert response.status_code == 422
    assert "PNG" in response.get_data(as_text=True) and ".pdf" in response.get_data(as_text=True)
    assert count(app, Asset) == assets and stored_files(app) == files


def test_unknown_and_broken_files_are_refused(app, login_as):
    client = login_as("admin@vendor.demo")
    assets, files = count(app, Asset), stored_files(app)
    for data, name in [(b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "tool.pdf"), (b"%PDF-1.7\n garbage", "broken.pdf"),
                       (b"", "empty.txt"), (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "x.svg")]:
        response = upload(client, file=(io.BytesIO(data), name))
        assert response.status_code == 422, name
        assert 'class="error"' in response.get_data(as_text=True)
    assert count(app, Asset) == assets and stored_files(app) == files


def test_an_oversize_upload_is_413_with_a_clear_message_and_stores_nothing(app, login_as):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    client = login_as("admin@vendor.demo")
    assets, files = count(app, Asset), stored_files(app)
    response = upload(client, file=(io.BytesIO(b"a" * 20_000), "big.txt"))
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True).lower()
    assert count(app, Asset) == assets and stored_files(app) == files


def test_missing_file_or_link_is_a_field_error(login_as):
    client = login_as("admin@vendor.demo")
    no_file = upload(client)
    assert no_file.status_code == 422 and "Choose the file" in no_file.get_data(as_text=True)
    video = upload(client, asset_type="video")
    assert video.status_code == 422 and "A video needs a link" in video.get_data(as_text=True)
    insecure = upload(client, asset_type="video", external_url="http://videos.example.com/x")
    assert insecure.status_code == 422 and "https://" in insecure.get_data(as_text=True)


def test_a_video_is_a_link(app, login_as):
    client = login_as("admin@vendor.demo")
    assert upload(client, asset_type="video", external_url="https://videos.example.com/demo").status_code == 303
    with app.app_context():
        asset = db.session.scalar(sa.select(Asset).where(Asset.title == "Uploaded Sheet"))
        assert asset.version == 0 and asset.external_url == "https://videos.example.com/demo"
        asset_id = asset.id
    page = login_as("sales@gold.demo").get(f"/assets/{asset_id}").get_data(as_text=True)
    assert 'href="https://videos.example.com/demo"' in page and 'rel="noopener noreferrer"' in page


def test_partners_and_channel_managers_cannot_upload(add_asset, login_as):
    asset = add_asset()
    for email in ("admin@gold.demo", "channel@vendor.demo"):
        client = login_as(email)
        assert client.get("/assets/new").status_code == 403
        assert upload(client, file=(io.BytesIO(b"x"), "x.txt")).status_code == 403
        assert post(client, f"/assets/{asset}/delete").status_code == 403


# --- edit, versions, delete ------------------------------------------------------------------


def test_edit_changes_metadata_and_keeps_the_file(app, add_asset, login_as):
    asset = add_asset(title="Before")
    client = login_as("admin@vendor.demo")
    assert client.get(f"/assets/{asset}/edit").status_code == 200
    response = upload(client, f"/assets/{asset}/edit", title="After", asset_type="brochure")
    assert response.status_code == 303
    with app.app_context():
        row = db.session.get(Asset, asset)
        assert (row.title, row.asset_type, row.version) == ("After", AssetType.brochure, 1)


def newer_versions(response) -> str:
    """The room widget's "newer versions" notice, or "" when it has none."""
    match = re.search(r'<div class="alert newer-version".*?</div>', response.get_data(as_text=True), re.S)
    return match.group() if match else ""


def test_a_new_version_keeps_history_and_tells_earlier_downloaders(app, add_asset, login_as):
    asset = add_asset(title="Versioned Deck", text="first", filename="deck.md")
    downloader, other = login_as("marketing@gold.demo"), login_as("sales@gold.demo")
    download(downloader, asset)
    assert "Versioned Deck" not in newer_versions(htmx_get(downloader, "/rooms/marketing/assets"))

    vendor = login_as("admin@vendor.demo")
    response = post(vendor, f"/assets/{asset}/versions", {"file": (io.BytesIO(b"second"), "deck-v2.md")},
                    content_type="multipart/form-data")

    assert response.status_code == 303
    assert count(app, AssetVersion, AssetVersion.asset_id == asset) == 2
    assert re.search(r"Versioned Deck</a> <span class=\"muted\">\(you have v1, now v2\)",
                     newer_versions(htmx_get(downloader, "/rooms/marketing/assets")))
    assert "Versioned Deck" not in newer_versions(htmx_get(other, "/rooms/sales/assets"))
    assert download(downloader, asset) == (200, b"second")
    assert "Versioned Deck" not in newer_versions(htmx_get(downloader, "/rooms/marketing/assets"))


def test_a_bad_new_version_is_refused_and_the_old_one_stays(app, add_asset, login_as):
    asset = add_asset(text="keep me", filename="a.md")
    vendor = login_as("admin@vendor.demo")
    response = post(vendor, f"/assets/{asset}/versions", {"file": (io.BytesIO(png_bytes()), "a.md")},
                    content_type="multipart/form-data")
    assert response.status_code == 422 and "PNG" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Asset, asset).version == 1


def test_delete_removes_the_asset(app, add_asset, login_as):
    asset = add_asset(title="Doomed")
    client = login_as("admin@vendor.demo")
    assert "Delete asset" in client.get(f"/assets/{asset}").get_data(as_text=True)  # behind a confirm step
    assert post(client, f"/assets/{asset}/delete").status_code == 303
    assert client.get(f"/assets/{asset}").status_code == 404
    assert count(app, AuditEvent, AuditEvent.action == "asset.deleted") == 1


# --- stats and room widget ---------------------------------------------------------------------


def partner_row(html: str, name: str) -> tuple[int, int]:
    """(downloads, assets) in the by-partner table's row for `name`, (0, 0) if absent."""
    match = re.search(rf"{name}</a></td><td>(\d+)</td><td>(\d+)</td>", html)
    return (int(match[1]), int(match[2])) if match else (0, 0)


def test_download_stats_per_asset_and_per_partner(app, add_asset, login_as):
    app.config["PAGE_SIZE"] = 500
    first, second = add_asset(title="Popular Sheet"), add_asset(title="Quiet Sheet")
    vendor = login_as("channel@vendor.demo")
    before = vendor.get("/assets/downloads?by=partner").get_data(as_text=True)
    for email in ("sales@gold.demo", "marketing@gold.demo", "sales@silver.demo"):
        download(login_as(email), first)
    download(login_as("sales@gold.demo"), second)

    by_asset = vendor.get("/assets/downloads").get_data(as_text=True)
    assert re.search(r"Popular Sheet</a></td><td>Datasheet</td><td>3</td><td>2</td>", by_asset)
    assert re.search(r"Quiet Sheet</a></td><td>Datasheet</td><td>1</td><td>1</td>", by_asset)
    after = vendor.get("/assets/downloads?by=partner").get_data(as_text=True)
    gold_before, gold_after = partner_row(before, "Summit Peak Systems"), partner_row(after, "Summit Peak Systems")
    assert gold_after[0] - gold_before[0] == 3
    assert partner_row(after, "Harborline IT")[0] - partner_row(before, "Harborline IT")[0] == 1
    assert "Acme Cloud</a></td>" not in after  # vendor staff are not a partner
    assert login_as("admin@gold.demo").get("/assets/downloads").status_code == 403


def test_room_widget_is_lazy_and_persona_smart(add_asset, login_as):
    add_asset(title="For Marketing", spec=AudienceSpec(personas=frozenset({Persona.marketing})))
    add_asset(title="For Presales", spec=AudienceSpec(personas=frozenset({Persona.presales})))
    client = login_as("marketing@gold.demo")

    room = client.get("/rooms/marketing").get_data(as_text=True)
    assert 'hx-get="/rooms/marketing/assets"' in room and 'hx-trigger="load"' in room

    widget = htmx_get(client, "/rooms/marketing/assets").get_data(as_text=True)
    assert "For Marketing" in widget and "For Presales" not in widget and "<html" not in widget
    full = client.get("/rooms/marketing/assets").get_data(as_text=True)
    assert "<html" in full and "For Marketing" in full
    assert client.get("/rooms/nobody/assets").status_code == 404


def test_a_zip_bomb_upload_is_refused_with_a_clear_message_and_stores_nothing(app, login_as):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("[Content_Types].xml", "<Types/>")
        with bomb.open("word/document.xml", "w") as part:
            for _ in range(50):
                part.write(b" " * (1024 * 1024))
    client = login_as("admin@vendor.demo")
    assets, files = count(app, Asset), stored_files(app)
    response = upload(client, file=(io.BytesIO(archive.getvalue()), "brief.docx"))
    assert response.status_code == 422
    assert "looks like a zip bomb" in response.get_data(as_text=True)
    assert count(app, Asset) == assets and stored_files(app) == files
