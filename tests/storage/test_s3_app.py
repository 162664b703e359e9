"""The portal on an S3 bucket, configured by PORTAL_STORAGE_URL as an operator would: an
asset is uploaded and downloaded through it; with PORTAL_S3_PRESIGNED_DOWNLOADS downloads
redirect to the bucket; when the bucket cannot be reached, a clear 503 and nothing saved."""
import io
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from PIL import Image

from helpers import post
from portal import config, create_app
from portal.assets.models import Asset, Download
from portal.extensions import db
from portal.storage import blob_store
from portal.storage_s3 import S3BlobStore


@pytest.fixture
def downloads(request, monkeypatch) -> str:
    """How downloads are sent: "streamed", or "presigned" when a test asks (indirect=True)."""
    mode = getattr(request, "param", "streamed")
    monkeypatch.setenv("PORTAL_S3_PRESIGNED_DOWNLOADS", "1" if mode == "presigned" else "0")
    return mode


@pytest.fixture
def app(s3_env, downloads, app):
    """The test's app, made once the S3 store and its downloads are configured."""
    return app


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(out, "PNG")
    return out.getvalue()


def upload(client, title: str, data: bytes):
    form = {"title": title, "summary": "On S3", "asset_type": "datasheet", "product_id": "0", "tags": "",
            "language": "en", "publish_at": "2026-01-01T09:00", "expire_at": "", "file": (io.BytesIO(data), "logo.png")}
    return post(client, "/assets/new", form, content_type="multipart/form-data")


def asset_id(app, title: str) -> int | None:
    with app.app_context():
        return db.session.scalar(sa.select(Asset.id).where(Asset.title == title))


def test_an_asset_is_stored_in_the_bucket_and_downloaded_from_it(app, login_as):
    assert isinstance(blob_store(app), S3BlobStore)
    client, data = login_as("admin@vendor.demo"), png_bytes()
    assert upload(client, "Kept in S3", data).status_code == 303
    asset = asset_id(app, "Kept in S3")
    with app.app_context():
        stored = db.session.get(Asset, asset).current
        assert blob_store(app).exists(stored.sha256) and blob_store(app).exists(stored.preview_sha256)
    with post(client, f"/assets/{asset}/download") as response:
        assert (response.status_code, response.data) == (200, data)
        assert response.headers["Content-Disposition"] == "attachment; filename=logo.png"
    with client.get(f"/assets/{asset}/preview", headers={"Range": "bytes=0-7"}) as response:
        assert (response.status_code, response.data) == (206, b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize("downloads", ["presigned"], indirect=True)
def test_a_presigned_download_redirects_to_the_bucket_after_the_access_checks(app, login_as):
    client, data = login_as("admin@vendor.demo"), png_bytes()
    upload(client, "Presigned", data)
    asset = asset_id(app, "Presigned")
    page = client.get(f"/assets/{asset}")
    origin = blob_store(app).download_origin
    assert f"form-action 'self' {origin};" in page.headers["Content-Security-Policy"]

    response = post(client, f"/assets/{asset}/download")
    assert response.status_code == 303 and response.location.startswith(f"{origin}/")
    assert "no-store" in response.headers["Cache-Control"]
    with urllib.request.urlopen(response.location) as from_bucket:  # the browser, with no credentials
        assert from_bucket.read() == data
    # What S3 answers the URL with (moto does not apply these, AWS and the others do).
    asked = parse_qs(urlsplit(response.location).query)
    assert asked["response-content-disposition"] == ["attachment; filename=logo.png"]
    assert asked["response-content-type"] == ["image/png"]
    assert "private" in asked["response-cache-control"][0]
    assert asked["X-Amz-Expires"] == ["60"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Download)
                                 .where(Download.asset_id == asset)) == 1  # recorded, as for a streamed one

    assert post(client, f"/assets/{asset + 1}/download").status_code == 404  # the route's checks come first
    assert client.get(f"/assets/{asset}/preview").status_code == 200  # images in pages keep streaming


def test_presigned_downloads_need_an_s3_store(tmp_path):
    with pytest.raises(ValueError, match="PORTAL_S3_PRESIGNED_DOWNLOADS"):
        create_app({"DATA_DIR": str(tmp_path), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}",
                    "STORAGE_URL": "file:", "S3_PRESIGNED_DOWNLOADS": True})


def test_the_presigned_downloads_setting_is_0_or_1(monkeypatch):
    monkeypatch.setenv("PORTAL_S3_PRESIGNED_DOWNLOADS", "yes")
    with pytest.raises(config.SettingsError, match="PORTAL_S3_PRESIGNED_DOWNLOADS must be 0 or 1"):
        config.from_env()


def test_an_unreachable_bucket_is_a_clear_503_and_nothing_is_saved(app, login_as, dead_endpoint):
    client = login_as("admin@vendor.demo")
    upload(client, "Stored before the outage", png_bytes())
    stored = asset_id(app, "Stored before the outage")
    # The bucket's endpoint goes down while the portal runs.
    app.extensions["blob_store"] = S3BlobStore.from_url("s3://partnerhouse-test/down", endpoint_url=dead_endpoint)

    response = upload(client, "Never saved", png_bytes())
    assert response.status_code == 503 and response.headers["Retry-After"] == "60"
    assert "File storage is unreachable; try again in a minute." in response.get_data(as_text=True)
    assert asset_id(app, "Never saved") is None
    preview = client.get(f"/assets/{stored}/preview", headers={"HX-Request": "true"})
    assert preview.status_code == 503 and "File storage is unreachable" in preview.get_data(as_text=True)
