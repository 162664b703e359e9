"""sync(): the caller's current data, read inside the write lock, decides what is indexed."""

import multiprocessing
import random
import sqlite3
import threading
import time

import pytest

from search import Document, SearchQuery, WhooshIndex

WRITERS = 5
CHANGES_PER_WRITER = 40
SHARED_IDS = [f"doc-{n}" for n in range(3)]  # few ids, so writers keep changing the same ones
TIMEOUT = 60


def ids(result):
    return {hit.id for hit in result.hits}


def test_sync_indexes_what_load_returns_and_deletes_the_rest(index):
    loaded_with = []

    def load(requested):
        loaded_with.append(requested)
        return [Document(id="battlecard", title="Renamed playbook"), Document(id="fresh", title="Fresh playbook")]

    index.sync(["battlecard", "datasheet", "fresh", "battlecard"], load)

    assert loaded_with == [["battlecard", "datasheet", "fresh"]]
    assert ids(index.search(SearchQuery("playbook"))) == {"battlecard", "fresh"}
    assert index.search(SearchQuery("datasheet")).total == 0
    assert ids(index.search(SearchQuery("pricing"))) == {"pricelist"}  # not mentioned, not touched


def test_sync_of_nothing_loads_nothing(index):
    index.sync([], lambda requested: pytest.fail(f"load called with {requested}"))


def test_load_runs_inside_the_write_lock(open_index, index):
    """A second sync cannot load until the first has written: the later load sees the later truth."""
    other = open_index()
    events = []
    first_loading = threading.Event()
    let_first_finish = threading.Event()

    def slow_load(requested):
        events.append("first loads")
        first_loading.set()
        assert let_first_finish.wait(TIMEOUT)
        events.append("first loaded")
        return [Document(id="battlecard", title="First version")]

    def second_load(requested):
        events.append("second loads")
        return [Document(id="battlecard", title="Second version")]

    first = threading.Thread(target=index.sync, args=(["battlecard"], slow_load))
    first.start()
    assert first_loading.wait(TIMEOUT)
    second = threading.Thread(target=other.sync, args=(["battlecard"], second_load))
    second.start()
    time.sleep(0.3)
    assert events == ["first loads"]  # the second sync is waiting for the lock

    let_first_finish.set()
    first.join(TIMEOUT)
    second.join(TIMEOUT)

    assert events == ["first loads", "first loaded", "second loads"]
    assert ids(index.search(SearchQuery("second"))) == {"battlecard"}
    assert index.search(SearchQuery("first")).total == 0


# Several processes (like gunicorn workers) change a shared database and sync the index, while
# a rebuild reads the database: whoosh's journal at work. (PostgreSQL's rebuild holds back
# writers until it commits; the portal's tests/assets/test_index_concurrency.py runs
# concurrent writers against it.)


def connect(db_path):
    return sqlite3.connect(db_path, timeout=TIMEOUT, isolation_level=None)


def read_truth(db_path, wanted=None):
    with connect(db_path) as db:
        rows = db.execute("SELECT id, title FROM docs").fetchall()
    return [Document(id=doc_id, title=title) for doc_id, title in rows if wanted is None or doc_id in wanted]


def writer_process(db_path, base_dir, writer, changes_done):
    index = WhooshIndex(base_dir, lock_timeout=TIMEOUT)
    rng = random.Random(writer)
    db = connect(db_path)
    for n in range(CHANGES_PER_WRITER):
        doc_id = rng.choice(SHARED_IDS)
        db.execute("BEGIN IMMEDIATE")
        if rng.random() < 0.25:
            db.execute("DELETE FROM docs WHERE id = ?", (doc_id,))
        else:
            # Every version has its own word (none a prefix of another), to tell versions apart.
            title = f"shared w{writer}n{n:03}"
            db.execute("INSERT OR REPLACE INTO docs (id, title) VALUES (?, ?)", (doc_id, title))
        db.execute("COMMIT")
        # The window in which another worker may commit and sync a newer version first.
        time.sleep(rng.random() * 0.002)
        index.sync([doc_id], lambda requested: read_truth(db_path, set(requested)))
        with changes_done.get_lock():
            changes_done.value += 1
    db.close()


def wait_for(changes_done, count):
    deadline = time.monotonic() + TIMEOUT
    while changes_done.value < count and time.monotonic() < deadline:
        time.sleep(0.01)


def truth_during_writes(db_path, changes_done):
    """What a rebuild reads from the database while the writers carry on."""
    wait_for(changes_done, WRITERS * 5)
    yield from read_truth(db_path)
    # Finish only after more changes, so some of them reach the rebuild through its journal.
    wait_for(changes_done, WRITERS * 10)


def test_concurrent_syncs_leave_the_index_equal_to_the_truth(tmp_path):
    db_path = tmp_path / "truth.sqlite"
    with connect(db_path) as db:
        db.execute("CREATE TABLE docs (id TEXT PRIMARY KEY, title TEXT)")
    base_dir = tmp_path / "search"
    index = WhooshIndex(base_dir, lock_timeout=TIMEOUT)
    index.rebuild([])
    context = multiprocessing.get_context("spawn")
    changes_done = context.Value("i", 0)
    processes = [
        context.Process(target=writer_process, args=(db_path, base_dir, writer, changes_done))
        for writer in range(WRITERS)
    ]
    for process in processes:
        process.start()

    # A rebuild from the database in the middle of it all must not lose any change either.
    index.rebuild(truth_during_writes(db_path, changes_done))
    for process in processes:
        process.join(TIMEOUT)

    assert [process.exitcode for process in processes] == [0] * WRITERS
    truth = {doc.id: doc.title for doc in read_truth(db_path)}
    assert ids(index.search(SearchQuery("shared", page_size=100))) == set(truth)
    for doc_id, title in truth.items():
        version = title.split()[1]
        assert ids(index.search(SearchQuery(version))) == {doc_id}
