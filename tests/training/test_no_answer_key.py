"""The answer key (which options are right, the explanations) is never in any page or
fragment served before grading: not in the quiz form, not in lessons, paths, the room card.
Checked over every training page a trainee reaches, as page and as htmx fragment."""
import re

import sqlalchemy as sa

from helpers import htmx_get, post
from portal.extensions import db
from portal.training.models import Question, QuizOption
from training_support import complete_lessons, open_attempt, start

TRAINEE = "trainee@registered.demo"
KEY_MARKERS = re.compile(r"correct|is-key|right option|explanation", re.IGNORECASE)


def _key(app):
    """Give every question an explanation no page could contain by chance."""
    with app.app_context():
        for question in db.session.scalars(sa.select(Question)):
            question.explanation = f"Because of reason {question.id}-zq7x."
        db.session.commit()
        return [q.explanation for q in db.session.scalars(sa.select(Question))]


def _assert_no_key(html: str, explanations: list[str], where: str) -> None:
    assert not KEY_MARKERS.search(html), (where, KEY_MARKERS.search(html).group(0))
    for explanation in explanations:
        assert explanation not in html, where


def _option_markup(html: str) -> list[str]:
    """Each option input with its value and id blanked: all alike, whatever the key."""
    inputs = re.findall(r"<input[^>]*name=\"q\d+\"[^>]*>", html)
    return sorted({re.sub(r'(value|id|name)="[^"]*"', r'\1=""', tag) for tag in inputs})


def test_no_page_or_fragment_before_grading_holds_the_key(app, login_as, ids):
    explanations = _key(app)
    client = login_as(TRAINEE)
    pages = ["/training", f"/training/paths/{ids['sales_path']}", f"/training/courses/{ids['product_course']}",
             *[f"/training/lessons/{lesson}" for lesson in ids["lessons"]], f"/training/quizzes/{ids['product_quiz']}",
             "/rooms/sales/training", "/program/", "/rooms/sales"]
    for url in pages:
        for response in (client.get(url), htmx_get(client, url)):
            assert response.status_code == 200, url
            _assert_no_key(response.get_data(as_text=True), explanations, url)
    # the fragments that writes answer with
    for lesson in ids["lessons"]:
        response = post(client, f"/training/lessons/{lesson}/complete", htmx=True)
        _assert_no_key(response.get_data(as_text=True), explanations, f"complete {lesson}")
    started = start(client, ids["product_quiz"])
    html = started.get_data(as_text=True)
    _assert_no_key(html, explanations, "start (fragment)")
    assert len(_option_markup(html)) == 2  # one radio shape and one checkbox shape, right or wrong alike
    page = client.get(f"/training/quizzes/{ids['product_quiz']}").get_data(as_text=True)  # resuming it
    _assert_no_key(page, explanations, "quiz page with the attempt")
    attempt = open_attempt(app, TRAINEE, ids["product_quiz"])
    invalid = post(client, f"/training/attempts/{attempt.id}", {}, htmx=True)
    assert invalid.status_code == 422
    _assert_no_key(invalid.get_data(as_text=True), explanations, "422")
    # an unsubmitted attempt's page sends the trainee back to the quiz, never shows a result
    assert client.get(f"/training/attempts/{attempt.id}").status_code == 303


def test_option_values_are_opaque_ids(app, login_as, ids):
    client = login_as(TRAINEE)
    complete_lessons(client, ids["lessons"])
    html = start(client, ids["product_quiz"]).get_data(as_text=True)
    values = [int(v) for v in re.findall(r'<input[^>]*name="q\d+"[^>]*value="(\d+)"', html)]
    with app.app_context():
        option_ids = set(db.session.scalars(sa.select(QuizOption.id)))
    assert values and set(values) <= option_ids
