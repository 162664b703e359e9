"""Collecting stored files no row refers to: referenced and recent files always stay."""
import os
import time


from portal import maintenance
from portal.assets.services import blob_store
from portal.extensions import db

NOT_FILES = {"cobrand_template_versions.content_sha256"}  # a hash of a design, not a stored file


def _age(path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_only_old_unreferenced_files_are_collected(app, demo):
    with app.app_context():
        store = blob_store()
        referenced = maintenance.referenced_blobs()
        assert referenced and all(store.exists(sha) for sha in referenced)
        old_orphan = store.path(store.put(b"a logo nobody uses any more"))
        new_orphan = store.path(store.put(b"an upload whose row is not committed yet"))
        leftover = old_orphan.parent / ".incoming-crashed"
        leftover.write_bytes(b"half a file")
        for path in (old_orphan, leftover, *(store.path(sha) for sha in referenced)):
            _age(path, maintenance.GRACE_SECONDS + 60)

        counted = maintenance.collect_files(dry_run=True)
        assert counted.files == 2 and old_orphan.exists() and leftover.exists()
        done = maintenance.collect_files()
        assert done == counted
        assert not old_orphan.exists() and not leftover.exists() and new_orphan.exists()
        assert all(store.exists(sha) for sha in referenced)


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
