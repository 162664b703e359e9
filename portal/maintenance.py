"""Upkeep across domains: files in the BlobStore that no row refers to any more (a replaced
logo, a deleted asset's versions, thumbnails of deleted templates, a certificate's PDF from
before it expired or was revoked, leftovers of a crash)."""
import time
from dataclasses import dataclass

import sqlalchemy as sa

from portal.agreements.models import Acceptance
from portal.assets.models import AssetVersion
from portal.cobrand.models import BrandKit, CobrandedPdf, TemplateVersion
from portal.extensions import db
from portal.program.models import Evidence
from portal.storage import current_store
from portal.training.models import Certificate

# Every column that names a file in the BlobStore. A new one must be added here, or its files
# would be collected (tests/core/test_maintenance.py checks the models for sha256 columns).
BLOB_COLUMNS = (AssetVersion.sha256, AssetVersion.preview_sha256, BrandKit.logo_sha256,
                TemplateVersion.thumbnail_sha256, CobrandedPdf.sha256, Certificate.pdf_sha256, Evidence.file_sha256,
                Acceptance.pdf_sha256)
# A file is stored before the row that names it is committed (uploads are checked and
# stored outside the transaction), so only files older than this may go.
GRACE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Collected:
    files: int
    bytes: int


def referenced_blobs() -> set[str]:
    found = set()
    for column in BLOB_COLUMNS:
        found.update(db.session.scalars(sa.select(column).where(column.is_not(None)).distinct()))
    return found


def collect_files(dry_run: bool = False, grace_seconds: int = GRACE_SECONDS) -> Collected:
    """Delete (or with dry_run, count) unreferenced files older than the grace period."""
    keep = referenced_blobs()
    cutoff = time.time() - grace_seconds
    store = current_store()
    files = size = 0
    for blob in store.iter_blobs():
        if blob.id in keep or blob.modified > cutoff:
            continue
        files, size = files + 1, size + blob.size
        if not dry_run:
            store.delete(blob.id)
    return Collected(files, size)
