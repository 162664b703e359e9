"""The one source of "now". Stored datetimes are naive UTC; tests move the clock."""
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

_offset = timedelta(0)


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None) + _offset


@contextmanager
def travel(delta: timedelta):
    """Shift now() by delta inside the block (tests only)."""
    global _offset
    previous, _offset = _offset, _offset + delta
    try:
        yield
    finally:
        _offset = previous
