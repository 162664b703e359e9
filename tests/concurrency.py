"""Firing workflow actions at the same moment, through real connections, on both databases.

    approved, rejected = run_at_once(app, approve_it, reject_it)

Each action runs in its own thread with its own app context, so its own session and
database connection; the threads start together. An action calls `all_have_read()` once
it has loaded what it acts on (through a page: `pause_after(monkeypatch, services, "get_deal")`).
On Postgres every action then waits there until all have read, so each write races a read
that is already stale: the interleaving that loses updates. SQLite runs writing
transactions one at a time (BEGIN IMMEDIATE, busy timeout): the first reader holds the
write lock until it commits, so waiting there would never end; the others queue behind it.
"""
import threading
from dataclasses import dataclass

from portal.extensions import db

TIMEOUT = 30
_current = threading.local()


@dataclass
class Outcome:
    value: object = None
    error: Exception | None = None


def run_at_once(app, *actions) -> list[Outcome]:
    start, read = threading.Barrier(len(actions)), threading.Barrier(len(actions))
    outcomes = [Outcome() for _ in actions]

    def run(action, outcome: Outcome) -> None:
        _current.read = read
        try:
            start.wait(TIMEOUT)
            with app.app_context():
                outcome.value = action()
        except Exception as error:  # handed to the test, which says what it expected
            outcome.error = error
        finally:
            read.abort()  # a runner that is done never reads again: nobody may wait for it

    threads = [threading.Thread(target=run, args=pair) for pair in zip(actions, outcomes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT * 2)
        assert not thread.is_alive(), "an action did not finish"
    return outcomes


def all_have_read() -> None:
    """In an action: wait (on Postgres) until every action of the race has read."""
    if db.engine.dialect.name == "postgresql":
        _current.read.wait(TIMEOUT)


def pause_after(monkeypatch, module, name: str) -> None:
    """Make module.name (e.g. the deal loader a view calls) wait for the others once it has read."""
    original = getattr(module, name)

    def loaded_then_wait(*args, **kwargs):
        result = original(*args, **kwargs)
        all_have_read()
        return result

    monkeypatch.setattr(module, name, loaded_then_wait)
