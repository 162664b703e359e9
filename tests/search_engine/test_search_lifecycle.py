"""Writes, rebuilds and recovery from a missing or damaged index. Tests that take `index` or
`open_index` are the contract of both backends; those on `built_whoosh_index` test whoosh's own
files (directories switched on rebuild, damaged segments, the journal, parallel builds)."""

import multiprocessing
import shutil
import threading
import time

import pytest

from search import Document, IndexUnavailable, SearchQuery, WhooshIndex, whoosh_index

TIMEOUT = 30


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


def test_of_several_versions_written_at_once_the_last_wins(index):
    index.index_documents([Document(id="twice", title="Earlier draft"), Document(id="twice", title="Later draft")])
    assert ids(index.search(SearchQuery("later"))) == {"twice"}
    assert index.search(SearchQuery("earlier")).total == 0


def test_delete_removes_documents_and_ignores_unknown_ids(index):
    index.delete_documents(["datasheet", "never-indexed"])
    assert index.search(SearchQuery("datasheet")).total == 0
    assert index.search(SearchQuery("widget")).total == 3


def test_rebuild_switches_to_a_new_directory_and_removes_the_old(tmp_path, built_whoosh_index):
    base = tmp_path / "search"
    (before,) = index_dirs(base)

    built_whoosh_index.rebuild([Document(id="fresh", title="Fresh start")])

    (after,) = index_dirs(base)
    assert after != before
    assert live_dir(base).name == after
    assert ids(built_whoosh_index.search(SearchQuery("fresh"))) == {"fresh"}
    assert built_whoosh_index.search(SearchQuery("datasheet")).total == 0


def test_search_keeps_working_during_a_rebuild(index):
    seen_during_rebuild = []

    def documents():
        yield Document(id="new", title="New datasheet")
        seen_during_rebuild.append(ids(index.search(SearchQuery("datasheet"))))

    index.rebuild(documents())

    assert seen_during_rebuild == [{"datasheet"}]
    assert ids(index.search(SearchQuery("datasheet"))) == {"new"}


def test_writes_during_a_rebuild_survive_the_switch(index, backend):
    def another_request():
        index.index_documents([Document(id="changing", title="Updated title")])
        index.delete_documents(["removed"])

    writer = threading.Thread(target=another_request)

    def stale_documents():
        yield Document(id="changing", title="Old title")
        # Meanwhile, another request updates and deletes documents the rebuild already read.
        writer.start()
        writer.join(1)
        # whoosh writes to the live index and a journal the rebuild replays; PostgreSQL's
        # writer waits for the rebuild's transaction and then writes over it.
        assert writer.is_alive() == (backend == "postgres")
        yield Document(id="removed", title="Removed title")

    index.rebuild(stale_documents())
    writer.join(TIMEOUT)

    assert ids(index.search(SearchQuery("updated"))) == {"changing"}
    assert index.search(SearchQuery("old")).total == 0
    assert index.search(SearchQuery("removed")).total == 0


def test_failed_rebuild_keeps_the_live_index(tmp_path, index, backend):
    def broken_documents():
        yield Document(id="half", title="Half built")
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        index.rebuild(broken_documents())

    if backend == "whoosh":  # the half-built directory is removed (PostgreSQL rolls back)
        assert len(index_dirs(tmp_path / "search")) == 1
    assert ids(index.search(SearchQuery("datasheet"))) == {"datasheet"}
    assert index.search(SearchQuery("half")).total == 0
    index.index_documents([Document(id="later", title="Later write")])
    assert index.search(SearchQuery("later")).total == 1


def test_never_built_index_is_unavailable(missing_index):
    assert not missing_index.healthy()
    with pytest.raises(IndexUnavailable):
        missing_index.search(SearchQuery("anything"))
    with pytest.raises(IndexUnavailable):
        missing_index.index_documents([Document(id="a", title="A")])


def test_empty_rebuild_creates_a_healthy_index(open_index):
    ix = open_index()
    ix.rebuild([])
    assert ix.healthy()
    assert ix.search(SearchQuery("anything")).total == 0


def corrupt_segments(index_dir):
    for segment_file in index_dir.glob("MAIN_*.*"):
        segment_file.write_bytes(segment_file.read_bytes()[:100])


def corrupt_table_of_contents(index_dir):
    for toc in index_dir.glob("*.toc"):
        toc.write_bytes(b"\x00garbage")


def delete_directory(index_dir):
    shutil.rmtree(index_dir)


@pytest.mark.parametrize("damage", [corrupt_segments, corrupt_table_of_contents, delete_directory])
def test_damaged_index_is_unavailable_until_rebuilt(tmp_path, built_whoosh_index, damage):
    damage(live_dir(tmp_path / "search"))

    assert not built_whoosh_index.healthy()
    with pytest.raises(IndexUnavailable):
        built_whoosh_index.search(SearchQuery("datasheet"))
    with pytest.raises(IndexUnavailable):
        built_whoosh_index.index_documents([Document(id="a", title="A")])

    built_whoosh_index.rebuild([Document(id="datasheet", title="Widget Pro Datasheet")])

    assert built_whoosh_index.healthy()
    assert ids(built_whoosh_index.search(SearchQuery("datasheet"))) == {"datasheet"}


def test_try_rebuild_rebuilds_when_no_rebuild_is_running(index):
    assert index.try_rebuild(lambda: [Document(id="fresh", title="Fresh start")])
    assert ids(index.search(SearchQuery("fresh"))) == {"fresh"}
    assert index.search(SearchQuery("datasheet")).total == 0


def test_try_rebuild_returns_at_once_while_another_rebuild_runs(open_index, index):
    building = threading.Event()
    finish = threading.Event()

    def slow_documents():
        building.set()
        assert finish.wait(TIMEOUT)
        yield Document(id="slow", title="Slow rebuild")

    other = open_index()  # as another worker would
    running = threading.Thread(target=index.rebuild, args=(slow_documents(),))
    running.start()
    assert building.wait(TIMEOUT)

    started = time.monotonic()
    assert not other.try_rebuild(lambda: pytest.fail("a second rebuild read the documents"))
    assert time.monotonic() - started < 1

    finish.set()
    running.join(TIMEOUT)
    assert ids(index.search(SearchQuery("slow"))) == {"slow"}


def test_many_failed_searches_start_one_rebuild(open_index):
    """What the portal does when searches find the index broken: each tries to start a rebuild."""
    ix = open_index()
    callers = 8
    attempts_done = threading.Barrier(callers)  # the losers and the one rebuild
    factory_calls = []

    def documents():
        factory_calls.append(threading.current_thread().name)
        attempts_done.wait(TIMEOUT)  # keep the rebuild running until every caller has tried
        return [Document(id="healed", title="Healed index")]

    outcomes = []

    def heal():
        started = ix.try_rebuild(documents)
        outcomes.append(started)
        if not started:
            attempts_done.wait(TIMEOUT)

    threads = [threading.Thread(target=heal) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)

    assert sorted(outcomes) == [False] * (callers - 1) + [True]
    assert len(factory_calls) == 1
    assert ids(ix.search(SearchQuery("healed"))) == {"healed"}


@pytest.mark.parametrize("damage", [corrupt_segments, corrupt_table_of_contents, delete_directory, None])
def test_writes_to_a_broken_index_reach_the_running_rebuild(tmp_path, damage):
    """A write that fails because the live index is broken (or not built yet) is not lost."""
    base = tmp_path / "search"
    ix = WhooshIndex(base)
    if damage is not None:
        ix.rebuild([Document(id="old", title="Old document")])
        damage(live_dir(base))

    def documents():
        yield Document(id="stale", title="Stale title")
        with pytest.raises(IndexUnavailable):
            ix.index_documents([Document(id="written", title="Written during rebuild")])
        with pytest.raises(IndexUnavailable):
            ix.sync(["stale"], lambda requested: [Document(id="stale", title="Synced title")])

    ix.rebuild(documents())

    assert ids(ix.search(SearchQuery("written"))) == {"written"}
    assert ids(ix.search(SearchQuery("synced"))) == {"stale"}
    assert ix.search(SearchQuery("stale")).total == 0


def test_searches_see_writes_and_rebuilds_made_by_other_processes(open_index, index):
    other = open_index()  # another worker, with its own open searcher
    assert other.search(SearchQuery("datasheet")).total == 1

    index.index_documents([Document(id="added", title="Added elsewhere")])
    assert ids(other.search(SearchQuery("added"))) == {"added"}

    index.rebuild([Document(id="rebuilt", title="Rebuilt elsewhere")])
    assert ids(other.search(SearchQuery("rebuilt"))) == {"rebuilt"}
    assert other.search(SearchQuery("datasheet")).total == 0


def test_the_open_index_is_reused_until_it_changes(monkeypatch, built_whoosh_index):
    opened = []
    real_open = whoosh_index._open_snapshot
    monkeypatch.setattr(whoosh_index, "_open_snapshot", lambda path: opened.append(path) or real_open(path))

    assert built_whoosh_index.healthy()
    built_whoosh_index.search(SearchQuery("datasheet"))
    assert built_whoosh_index.healthy()
    assert len(opened) == 1

    built_whoosh_index.delete_documents(["datasheet"])
    assert built_whoosh_index.search(SearchQuery("datasheet")).total == 0
    assert len(opened) == 2


@pytest.fixture
def parallel_builds(monkeypatch):
    monkeypatch.setattr(whoosh_index, "PARALLEL_BUILD_FROM", 50)


def test_large_rebuild_is_split_between_processes(tmp_path, parallel_builds):
    ix = WhooshIndex(tmp_path / "search")
    ix.rebuild(Document(id=f"doc-{n}", title=f"Guide {n}", body="parallel build") for n in range(450))

    assert ix.search(SearchQuery("parallel", page_size=1)).total == 450
    assert ids(ix.search(SearchQuery("guide 321"))) == {"doc-321"}
    ix.index_documents([Document(id="doc-7", title="Changed")])
    assert ix.search(SearchQuery("parallel")).total == 449


def test_failed_large_rebuild_leaves_no_processes_and_keeps_the_live_index(
    tmp_path, built_whoosh_index, parallel_builds
):
    def documents():
        yield from (Document(id=f"doc-{n}", title="Half built") for n in range(300))
        raise RuntimeError("database went away")

    running_before = set(multiprocessing.active_children())  # e.g. the PDF renderer's worker
    with pytest.raises(RuntimeError, match="database went away"):
        built_whoosh_index.rebuild(documents())

    assert set(multiprocessing.active_children()) == running_before
    assert len(index_dirs(tmp_path / "search")) == 1
    assert ids(built_whoosh_index.search(SearchQuery("datasheet"))) == {"datasheet"}
    assert built_whoosh_index.search(SearchQuery("half")).total == 0
