"""Grading rules, pure (no database): property-tested in tests/training/test_grading.py.

A question scores only when the chosen options are exactly its correct options: for a
single-choice question that is the one right option, for a multiple-choice question every
right option and no wrong one. There is no partial credit (the quiz page says so).
"""
from collections.abc import Iterable


def is_correct(correct_ids: Iterable[int], chosen_ids: Iterable[int], single: bool) -> bool:
    correct, chosen = frozenset(correct_ids), frozenset(chosen_ids)
    if single and len(chosen) != 1:
        return False
    return bool(correct) and chosen == correct


def score(correct_count: int, total: int, pass_mark: int) -> tuple[int, bool]:
    """(percent rounded down, passed). Passing compares exactly, without rounding:
    4 of 5 (80 %) passes a pass mark of 80, 79.9 % would not."""
    if total <= 0:
        return 0, False
    return correct_count * 100 // total, correct_count * 100 >= pass_mark * total
