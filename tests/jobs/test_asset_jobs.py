"""An upload with a queue: the asset is saved at once with its file stored, an empty text and
no preview, and its page says the preview is being prepared; the worker's job fills both in.
Without a queue the upload reads them in the request, as before."""
import io

import sqlalchemy as sa
from PIL import Image

from helpers import post
from job_support import all_jobs
from portal.assets import services
from portal.assets.models import Asset, AssetVersion
from portal.extensions import db
from portal.jobs import JobStatus

PREPARING = "Preparing the preview…"


def png() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(output, format="PNG")
    return output.getvalue()


def upload(client, title: str, data: bytes, filename: str):
    form = {"title": title, "summary": "", "asset_type": "datasheet", "product_id": "0", "tags": "",
            "language": "en", "publish_at": "2026-01-01T09:00", "expire_at": "", "file": (io.BytesIO(data), filename)}
    return post(client, "/assets/new", form, content_type="multipart/form-data")


def current_version(app, title: str) -> tuple[int, AssetVersion]:
    with app.app_context():
        asset = db.session.scalar(sa.select(Asset).where(Asset.title == title))
        version = asset.current
        db.session.expunge(version)
        return asset.id, version


def test_with_a_queue_the_upload_is_saved_at_once_and_the_worker_adds_text_and_preview(app, login_as, queue,
                                                                                         run_worker):
    client = login_as("admin@vendor.demo")
    assert upload(client, "Zebra notes", b"# Zebra pricing\n\nStriped discounts.", "zebra.md").status_code == 303
    assert upload(client, "Teal logo", png(), "teal.png").status_code == 303
    notes_id, notes = current_version(app, "Zebra notes")
    logo_id, logo = current_version(app, "Teal logo")
    assert (notes.text, notes.preview_sha256, logo.preview_sha256) == ("", None, None)
    assert PREPARING in client.get(f"/assets/{logo_id}").get_data(as_text=True)
    assert client.get(f"/assets/{logo_id}/preview").status_code == 404
    run_worker()
    assert "Zebra pricing" in current_version(app, "Zebra notes")[1].text
    assert current_version(app, "Teal logo")[1].preview_sha256 is not None
    page = client.get(f"/assets/{logo_id}").get_data(as_text=True)
    assert PREPARING not in page and f"/assets/{logo_id}/preview" in page
    with client.get(f"/assets/{logo_id}/preview") as preview:
        assert preview.status_code == 200 and preview.mimetype == "image/png"
    assert PREPARING not in client.get(f"/assets/{notes_id}").get_data(as_text=True)  # text only, no preview
    assert [job.status for job in all_jobs(app, services.PREPARE_JOB)] == [JobStatus.done, JobStatus.done]


def test_a_version_deleted_before_the_worker_fails_its_job_plainly(app, login_as, queue, run_worker):
    client = login_as("admin@vendor.demo")
    upload(client, "Gone soon", png(), "gone.png")
    asset_id, _ = current_version(app, "Gone soon")
    assert post(client, f"/assets/{asset_id}/delete", {}).status_code in (200, 303)
    run_worker()
    [job] = all_jobs(app, services.PREPARE_JOB)
    assert job.status is JobStatus.failed and job.error == services.VERSION_GONE


def test_without_a_queue_the_upload_reads_text_and_preview_in_the_request(app, login_as):
    upload(login_as("admin@vendor.demo"), "Teal logo", png(), "teal.png")
    assert current_version(app, "Teal logo")[1].preview_sha256 is not None
    assert all_jobs(app, services.PREPARE_JOB) == []
