"""The one source of "now". Stored datetimes are naive UTC; tests move the clock."""
import calendar
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

_offset = timedelta(0)


DATE_FORMAT = "%d %b %Y"  # how every page, email and notification writes a date: 02 Mar 2027


def as_text(value: date | datetime | None) -> str:
    return value.strftime(DATE_FORMAT) if value else "—"


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


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the month's last day if it is shorter)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def months_after(moment: datetime, months: int) -> datetime:
    return months_before(moment, -months)
