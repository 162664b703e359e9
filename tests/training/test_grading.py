"""The grading rules, pure: exact-set scoring for multiple choice, and the pass mark without rounding."""
from hypothesis import given, strategies as st

from portal.training.grading import is_correct, score


def test_single_choice_needs_the_one_right_option():
    assert is_correct({3}, {3}, single=True)
    assert not is_correct({3}, {4}, single=True)
    assert not is_correct({3}, set(), single=True)
    assert not is_correct({3}, {3, 4}, single=True)  # two ticks on a single-choice question never score


def test_multiple_choice_scores_only_the_exact_set():
    assert is_correct({1, 2}, {2, 1}, single=False)
    assert not is_correct({1, 2}, {1}, single=False)  # partial: no credit
    assert not is_correct({1, 2}, {1, 2, 3}, single=False)  # one wrong extra: no credit
    assert not is_correct({1, 2}, set(), single=False)


def test_a_question_without_a_right_option_never_scores():
    assert not is_correct(set(), set(), single=False)


def test_pass_mark_is_compared_exactly():
    assert score(4, 5, 80) == (80, True)
    assert score(3, 5, 80) == (60, False)
    assert score(2, 3, 67) == (66, False)  # 66.7 % shown as 66, and below 67
    assert score(2, 3, 66) == (66, True)
    assert score(0, 0, 50) == (0, False)


@given(correct=st.frozensets(st.integers(0, 6), min_size=1), chosen=st.frozensets(st.integers(0, 6)))
def test_multiple_choice_is_right_exactly_when_the_sets_match(correct, chosen):
    assert is_correct(correct, chosen, single=False) == (correct == chosen)


@given(total=st.integers(1, 60), data=st.data(), pass_mark=st.integers(1, 100))
def test_score_is_monotonic_and_passing_matches_the_fraction(total, data, pass_mark):
    right = data.draw(st.integers(0, total))
    percent, passed = score(right, total, pass_mark)
    assert 0 <= percent <= 100
    assert passed == (right / total * 100 >= pass_mark - 1e-9)
    if right < total:
        assert score(right + 1, total, pass_mark)[0] >= percent
