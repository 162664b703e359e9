"""Collecting stored files no row refers to: referenced and recent files always stay."""
import os
import time


from portal import maintenance
from portal.extensions import db
from portal.storage import LocalBlobStore, blob_store

# Hashes of a design and of an agreement's text, not stored files.
NOT_FILES = {"cobrand_template_versions.content_sha256", "agreements.text_sha256", "agreement_acceptances.text_sha256"}


def age(store: LocalBlobStore, blob_id: str, seconds: float) -> None:
    """Make a file of the local store look older than it is."""
    path = next(path for path in store.root.rglob("*") if path.name == blob_id.rpartition("/")[2])
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_only_old_unreferenced_files_are_collected(app, demo):
    store = blob_store(app)
    with app.app_context():
        referenced = maintenance.referenced_blobs()
        assert referenced and all(store.exists(sha) for sha in referenced)
        old_orphan = store.put(b"a logo nobody uses any more")
        new_orphan = store.put(b"an upload whose row is not committed yet")
        (store.root / LocalBlobStore.INCOMING / "crashed").write_bytes(b"half a file")
        for blob_id in (old_orphan, ".incoming/crashed", *referenced):
            age(store, blob_id, maintenance.GRACE_SECONDS + 60)

        counted = maintenance.collect_files(dry_run=True)
        assert counted.files == 2 and store.exists(old_orphan)
        done = maintenance.collect_files()
        assert done == counted
        left = {blob.id for blob in store.iter_blobs()}
        assert old_orphan not in left and ".incoming/crashed" not in left and new_orphan in left
        assert referenced <= left


def test_every_file_column_is_known(app):
    """A new model column naming a stored file must join BLOB_COLUMNS, or its files would go."""
    known = {f"{column.table.name}.{column.name}" for column in maintenance.BLOB_COLUMNS}
    found = {f"{table.name}.{column.name}" for table in db.metadata.sorted_tables for column in table.columns
             if column.name.endswith("sha256")}
    assert found - NOT_FILES == known


def test_the_command_reports_what_it_would_delete(runner, demo):
    result = runner.invoke(args=["collect-files", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Would delete 0 unreferenced file(s)")
