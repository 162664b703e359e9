"""The in-memory vocabulary behind "did you mean"."""
from types import SimpleNamespace

from search.spelling import Vocabulary


def vocabulary(**frequencies: int) -> Vocabulary:
    return Vocabulary((word.encode(), SimpleNamespace(weight=lambda f=f: f)) for word, f in sorted(frequencies.items()))


def test_a_swap_of_two_letters_is_one_edit():
    assert vocabulary(compliance=1, complained=50).nearest("complaince") == "compliance"


def test_fewer_edits_win_over_frequency():
    assert vocabulary(backup=1, backups=1000).nearest("bakup") == "backup"


def test_equally_near_words_go_to_the_most_frequent_then_alphabetical():
    assert vocabulary(cart=5, care=9).nearest("carx") == "care"
    assert vocabulary(cart=5, care=5).nearest("carx") == "care"


def test_the_first_letter_is_kept_and_far_words_are_not_suggested():
    words = vocabulary(deployment=3)
    assert words.nearest("eployment") is None
    assert words.nearest("dplymnt") is None  # three edits
    assert words.nearest("") is None


def test_membership_and_prefixes():
    words = vocabulary(datasheet=2, data=1)
    assert "data" in words and "dat" not in words
    assert words.begins_a_word("datas") and not words.begins_a_word("datz")
