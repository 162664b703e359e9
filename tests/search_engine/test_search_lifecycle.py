"""Writes, rebuilds and recovery from a missing or damaged index."""

import shutil

import pytest

from search import Document, IndexUnavailable, SearchQuery, WhooshIndex


def ids(result):
    return {hit.id for hit in result.hits}


def index_dirs(base_dir):
    return sorted(path.name for path in base_dir.glob("index-*"))


def live_dir(base_dir):
    return base_dir / (base_dir / "CURRENT").read_text()


def test_update_replaces_the_previous_version(index):
    index.index_documents([Document(id="datasheet", title="Widget Pro brochure")])
    assert index.search(SearchQuery("datasheet")).total == 0
    assert ids(index.search(SearchQuery("brochure"))) == {"datasheet"}


def test_delete_removes_documents_and_ignores_unknown_ids(index):
    index.delete_documents(["datasheet", "never-indexed"])
    assert index.search(SearchQuery("datasheet")).total == 0
    assert index.search(SearchQuery("widget")).total == 3


def test_rebuild_switches_to_a_new_directory_and_removes_the_old(tmp_path, index):
    base = tmp_path / "search"
    (before,) = index_dirs(base)

    index.rebuild([Document(id="fresh", title="Fresh start")])

    (after,) = index_dirs(base)
    assert after != before
    assert live_dir(base).name == after
    assert ids(index.search(SearchQuery("fresh"))) == {"fresh"}
    assert index.search(SearchQuery("datasheet")).total == 0


def test_search_keeps_working_during_a_rebuild(index):
    seen_during_rebuild = []

    def documents():
        yield Document(id="new", title="New datasheet")
        seen_during_rebuild.append(ids(index.search(SearchQuery("datasheet"))))

    index.rebuild(documents())

    assert seen_during_rebuild == [{"datasheet"}]
    assert ids(index.search(SearchQuery("datasheet"))) == {"new"}


def test_writes_during_a_rebuild_survive_the_switch(index):
    def stale_documents():
        yield Document(id="changing", title="Old title")
        # Meanwhile, another request updates and deletes documents the rebuild already read.
        index.index_documents([Document(id="changing", title="Updated title")])
        index.delete_documents(["removed"])
        yield Document(id="removed", title="Removed title")

    index.rebuild(stale_documents())

    assert ids(index.search(SearchQuery("updated"))) == {"changing"}
    assert index.search(SearchQuery("old")).total == 0
    assert index.search(SearchQuery("removed")).total == 0


def test_failed_rebuild_keeps_the_live_index(tmp_path, index):
    def broken_documents():
        yield Document(id="half", title="Half built")
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        index.rebuild(broken_documents())

    assert len(index_dirs(tmp_path / "search")) == 1
    assert ids(index.search(SearchQuery("datasheet"))) == {"datasheet"}
    index.index_documents([Document(id="later", title="Later write")])
    assert index.search(SearchQuery("later")).total == 1


def test_never_built_index_is_unavailable(tmp_path):
    ix = WhooshIndex(tmp_path / "empty")
    assert not ix.healthy()
    with pytest.raises(IndexUnavailable):
        ix.search(SearchQuery("anything"))
    with pytest.raises(IndexUnavailable):
        ix.index_documents([Document(id="a", title="A")])


def test_empty_rebuild_creates_a_healthy_index(tmp_path):
    ix = WhooshIndex(tmp_path / "search")
    ix.rebuild([])
    assert ix.healthy()
    assert ix.search(SearchQuery("anything")).total == 0


def corrupt_segments(index_dir):
    for segment in index_dir.glob("*.seg"):
        segment.write_bytes(segment.read_bytes()[:100])


def corrupt_table_of_contents(index_dir):
    for toc in index_dir.glob("*.toc"):
        toc.write_bytes(b"\x00garbage")


def delete_directory(index_dir):
    shutil.rmtree(index_dir)


@pytest.mark.parametrize("damage", [corrupt_segments, corrupt_table_of_contents, delete_directory])
def test_damaged_index_is_unavailable_until_rebuilt(tmp_path, index, damage):
    damage(live_dir(tmp_path / "search"))

    assert not index.healthy()
    with pytest.raises(IndexUnavailable):
        index.search(SearchQuery("datasheet"))
    with pytest.raises(IndexUnavailable):
        index.index_documents([Document(id="a", title="A")])

    index.rebuild([Document(id="datasheet", title="Widget Pro Datasheet")])

    assert index.healthy()
    assert ids(index.search(SearchQuery("datasheet"))) == {"datasheet"}
