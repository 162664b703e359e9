"""What only the local backend does: its layout on disk, crash leftovers, durable writes,
and the app's store chosen by PORTAL_STORAGE_URL."""
import os

import pytest

from portal import create_app
from portal.storage import LocalBlobStore, blob_store, store_from_url


@pytest.fixture
def store(tmp_path):
    return LocalBlobStore(tmp_path / "blobs")


def test_blobs_live_under_their_sha256_and_nothing_else_stays(store):
    sha = store.put(b"partner logo bytes")
    files = [path for path in store.root.rglob("*") if path.is_file()]
    assert files == [store.root / sha[:2] / sha[2:4] / sha]


def test_a_crash_leftover_is_listed_and_deleted_by_its_id(store):
    sha = store.put(b"whole")
    leftover = store.root / LocalBlobStore.INCOMING / "tmp-crashed"
    leftover.write_bytes(b"half a file")
    listed = {blob.id: blob for blob in store.iter_blobs()}
    assert set(listed) == {sha, ".incoming/tmp-crashed"}
    assert listed[".incoming/tmp-crashed"].sha256 is None
    store.delete(".incoming/tmp-crashed")
    assert not leftover.exists() and store.exists(sha)


@pytest.mark.parametrize("bad_id", [".incoming/", ".incoming/../x", ".incoming/a/b", ".incoming/.hidden", "x/y"])
def test_leftover_ids_cannot_reach_outside_the_incoming_folder(store, bad_id):
    with pytest.raises(ValueError):
        store.delete(bad_id)


def test_a_durable_put_syncs_the_file_and_another_does_not(store, monkeypatch):
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd))
    store.put(b"an upload")
    assert len(synced) == 1
    store.put(b"a demo file", durable=False)
    assert len(synced) == 1


def make_app(tmp_path, **config):
    return create_app({"DATA_DIR": str(tmp_path), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}",
                       **config})


@pytest.mark.parametrize("url", ["", "file:"])
def test_the_app_store_is_local_under_the_data_dir_by_default(tmp_path, monkeypatch, url):
    monkeypatch.setenv("PORTAL_STORAGE_URL", url)
    store = blob_store(make_app(tmp_path))
    assert isinstance(store, LocalBlobStore) and store.root == tmp_path / "files"


def test_a_file_url_with_a_path_names_another_folder(tmp_path):
    assert store_from_url(f"file://{tmp_path}/elsewhere", data_dir=tmp_path).root == tmp_path / "elsewhere"


@pytest.mark.parametrize("url", ["floppy", "local", "file:relative", "file://host/x", "file:?x", "http://bucket/x",
                                 "s3://"])
def test_an_unknown_storage_url_fails_at_start(tmp_path, url):
    with pytest.raises(ValueError, match="PORTAL_STORAGE_URL"):
        make_app(tmp_path, STORAGE_URL=url)
