"""Helpers for the training tests: the demo's ids, answering a quiz as a browser does."""
import re

import sqlalchemy as sa

from helpers import post
from portal.core.auth import find_user
from portal.extensions import db
from portal.training.models import Attempt, Quiz

QUIZ_FIELD_RE = re.compile(r'name="q(\d+)"')


def open_attempt(app, email: str, quiz_id: int) -> Attempt | None:
    with app.app_context():
        user = find_user(email)
        attempt = db.session.scalar(sa.select(Attempt).where(Attempt.user_id == user.id, Attempt.quiz_id == quiz_id,
                                                             Attempt.submitted_at.is_(None)))
        if attempt is not None:
            db.session.expunge(attempt)
        return attempt


def answers_for(app, attempt_id: int, right: int | None = None) -> dict:
    """Form data answering an attempt: the first `right` questions right (all when None), the rest wrong."""
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        data = {}
        for index, answer in enumerate(attempt.answers):
            question = answer.question
            correct = sorted(question.correct_ids)
            wrong = [o.id for o in question.options if not o.correct][:1]
            chosen = correct if right is None or index < right else wrong
            data[f"q{question.id}"] = [str(i) for i in chosen]
        return data


def start(client, quiz_id: int, htmx: bool = True):
    return post(client, f"/training/quizzes/{quiz_id}/start", htmx=htmx)


def take_quiz(app, client, email: str, quiz_id: int, right: int | None = None, htmx: bool = True):
    """Start an attempt and submit it; returns the submit response."""
    response = start(client, quiz_id, htmx=htmx)
    assert response.status_code in (200, 303), response.get_data(as_text=True)[:500]
    attempt = open_attempt(app, email, quiz_id)
    assert attempt is not None, "no attempt started"
    return post(client, f"/training/attempts/{attempt.id}", answers_for(app, attempt.id, right), htmx=htmx)


def complete_lessons(client, lesson_ids):
    for lesson_id in lesson_ids:
        response = post(client, f"/training/lessons/{lesson_id}/complete", htmx=True)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]


def quiz_of(app, quiz_id: int) -> Quiz:
    with app.app_context():
        return db.session.get(Quiz, quiz_id)
