"""Several processes (like gunicorn workers) writing at once, with a rebuild in the middle."""

import multiprocessing
import time

from search import Document, SearchQuery, WhooshIndex

WRITERS = 4
DOCS_PER_WRITER = 8
STARTUP_TIMEOUT = 30


def writer_process(base_dir, writer, rebuild_started, writes_done):
    index = WhooshIndex(base_dir, lock_timeout=STARTUP_TIMEOUT)
    assert rebuild_started.wait(STARTUP_TIMEOUT)
    for n in range(DOCS_PER_WRITER):
        index.index_documents([versioned(writer, n, "firstversion")])
        index.index_documents([Document(id=f"w{writer}-doomed-{n}", title="doomed")])
        with writes_done.get_lock():
            writes_done.value += 1
    for n in range(DOCS_PER_WRITER):
        index.index_documents([versioned(writer, n, "secondversion")])
        index.delete_documents([f"w{writer}-doomed-{n}"])


def versioned(writer, n, version):
    return Document(id=f"w{writer}-{n}", title=f"Writer {writer} document {n}", body=version)


def baseline_while_writers_run(rebuild_started, writes_done):
    """What the database held when the rebuild began; the writers only change things later."""
    rebuild_started.set()
    for n in range(20):
        yield Document(id=f"base-{n}", title="baseline", body="firstversion")
    # Finish only once writers have written into the old index, so the journal is exercised.
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while writes_done.value < WRITERS and time.monotonic() < deadline:
        time.sleep(0.01)


def all_ids(index, text):
    result = index.search(SearchQuery(text, page_size=1000))
    return {hit.id for hit in result.hits}


def test_concurrent_writers_lose_no_updates(tmp_path):
    base_dir = tmp_path / "search"
    index = WhooshIndex(base_dir)
    index.rebuild([])
    context = multiprocessing.get_context("spawn")
    rebuild_started = context.Event()
    writes_done = context.Value("i", 0)
    processes = [
        context.Process(target=writer_process, args=(base_dir, writer, rebuild_started, writes_done))
        for writer in range(WRITERS)
    ]
    for process in processes:
        process.start()

    index.rebuild(baseline_while_writers_run(rebuild_started, writes_done))
    for process in processes:
        process.join(STARTUP_TIMEOUT)

    assert [process.exitcode for process in processes] == [0] * WRITERS
    expected = {f"w{writer}-{n}" for writer in range(WRITERS) for n in range(DOCS_PER_WRITER)}
    assert all_ids(index, "secondversion") == expected
    assert all_ids(index, "firstversion") == {f"base-{n}" for n in range(20)}
    assert all_ids(index, "doomed") == set()
