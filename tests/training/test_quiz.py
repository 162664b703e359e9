"""Taking a quiz: one form swapped in by htmx, graded on the server; attempts, cooldown,
question pools and the certificate a passing final exam earns."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from helpers import htmx_get, post
from portal.core import clock
from portal.core.auth import find_user
from portal.extensions import db
from portal.training.models import Attempt, Certificate, Quiz
from training_support import answers_for, complete_lessons, open_attempt, start, take_quiz

TRAINEE = "trainee@registered.demo"


@pytest.fixture
def trainee(login_as, ids):
    client = login_as(TRAINEE)
    complete_lessons(client, ids["lessons"])  # the demo left them half-way
    return client


def test_the_quiz_waits_for_the_lessons(login_as, ids):
    client = login_as(TRAINEE)
    page = client.get(f"/training/quizzes/{ids['product_quiz']}").get_data(as_text=True)
    assert "Complete the course" in page and "Start the quiz" not in page
    response = start(client, ids["product_quiz"], htmx=False)
    assert response.status_code == 303
    assert open_attempt(client.application, TRAINEE, ids["product_quiz"]) is None


def test_start_swaps_the_form_in_and_a_failed_attempt_shows_score_and_explanations(app, trainee, ids):
    response = start(trainee, ids["product_quiz"])
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="quiz"')  # the fragment, not the page
    assert html.count('type="radio"') + html.count('type="checkbox"') >= 10
    assert "Submit answers" in html
    attempt = open_attempt(app, TRAINEE, ids["product_quiz"])
    response = post(trainee, f"/training/attempts/{attempt.id}", answers_for(app, attempt.id, right=2), htmx=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "40%" in html and "Not passed this time" in html
    assert "Platform is licensed per managed vCPU" in html  # the explanation, after grading
    assert "2 attempts left" in html
    with app.app_context():
        graded = db.session.get(Attempt, attempt.id)
        assert graded.score == 40 and graded.passed is False and graded.correct_count == 2


def test_unanswered_questions_answer_422_with_a_message_per_question(app, trainee, ids):
    start(trainee, ids["product_quiz"])
    attempt = open_attempt(app, TRAINEE, ids["product_quiz"])
    data = answers_for(app, attempt.id)
    first = next(iter(data))
    del data[first]
    response = post(trainee, f"/training/attempts/{attempt.id}", data, htmx=True)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{first}-error"' in html and "Choose" in html
    assert open_attempt(app, TRAINEE, ids["product_quiz"]) is not None  # nothing graded


def test_submitting_twice_grades_once(app, trainee, ids):
    start(trainee, ids["product_quiz"])
    attempt = open_attempt(app, TRAINEE, ids["product_quiz"])
    data = answers_for(app, attempt.id)
    assert post(trainee, f"/training/attempts/{attempt.id}", data, htmx=True).status_code == 200
    again = post(trainee, f"/training/attempts/{attempt.id}", answers_for(app, attempt.id, right=0))
    assert again.status_code == 303 and again.headers["Location"].endswith(f"/training/attempts/{attempt.id}")
    with app.app_context():
        assert db.session.get(Attempt, attempt.id).score == 100


def test_answers_outside_the_question_are_refused_by_the_form_and_ignored_by_grading(app, trainee, ids):
    """An option id of another question is not an answer to this one."""
    from portal.training import quizzes

    start(trainee, ids["product_quiz"])
    attempt = open_attempt(app, TRAINEE, ids["product_quiz"])
    data = answers_for(app, attempt.id)
    every_option = sorted({value for values in data.values() for value in values})
    multiple = [name for name in data if len(data[name]) > 1]
    for name in multiple:  # tick every other question's right options too
        data[name] = every_option
    assert post(trainee, f"/training/attempts/{attempt.id}", data, htmx=True).status_code == 422
    with app.app_context():
        attempt = db.session.get(Attempt, attempt.id)
        assert attempt.submitted_at is None
        quizzes.submit_attempt(find_user(TRAINEE), attempt,
                                {int(name[1:]): [int(v) for v in values] for name, values in data.items()})
        assert attempt.correct_count == 5 - len(multiple) + len(multiple)  # foreign ids dropped: still right
        assert attempt.passed is True


def test_vendor_staff_give_one_more_attempt_once_they_ran_out(app, trainee, ids, login_as):
    from portal.core.models import AuditEvent
    from portal.notifications.models import Notification

    quiz_id = ids["product_quiz"]
    with app.app_context():
        person_id = find_user(TRAINEE).id
    grant_url = f"/training/team/{person_id}/quizzes/{quiz_id}/grant"
    channel = login_as("channel@vendor.demo")
    assert post(channel, grant_url).status_code == 303  # attempts left: refused, with a message
    assert "can still take this quiz" in channel.get(f"/training/team/{person_id}").get_data(as_text=True)
    for _ in range(3):
        take_quiz(app, trainee, TRAINEE, quiz_id, right=0)
    member = channel.get(f"/training/team/{person_id}").get_data(as_text=True)
    assert "Out of attempts" in member and "Allow one more attempt" in member
    assert post(trainee, grant_url).status_code == 403  # partners never give themselves attempts
    assert post(channel, grant_url).status_code == 303
    assert "Out of attempts" not in channel.get(f"/training/team/{person_id}").get_data(as_text=True)
    assert take_quiz(app, trainee, TRAINEE, quiz_id, right=0).status_code == 200  # the fourth attempt
    assert "used all your attempts" in trainee.get(f"/training/quizzes/{quiz_id}").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))
                                 .where(AuditEvent.action == "training.attempt_granted")) == 1
        assert db.session.scalar(sa.select(Notification.subject).where(Notification.user_id == person_id)
                                 .order_by(Notification.id.desc()).limit(1)) == \
            "You can take the Product Fundamentals quiz once more"


def test_attempts_run_out(app, trainee, ids):
    for _ in range(3):
        assert take_quiz(app, trainee, TRAINEE, ids["product_quiz"], right=0).status_code == 200
    page = trainee.get(f"/training/quizzes/{ids['product_quiz']}").get_data(as_text=True)
    assert "used all your attempts" in page and "Start the quiz" not in page
    response = start(trainee, ids["product_quiz"], htmx=False)
    assert response.status_code == 303
    assert open_attempt(app, TRAINEE, ids["product_quiz"]) is None
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Attempt.id))
                                 .where(Attempt.user_id == find_user(TRAINEE).id)) == 3


def test_cooldown_is_enforced_with_the_clock(app, trainee, ids):
    with app.app_context():
        db.session.get(Quiz, ids["product_quiz"]).cooldown_minutes = 60
        db.session.commit()
    take_quiz(app, trainee, TRAINEE, ids["product_quiz"], right=0)
    page = trainee.get(f"/training/quizzes/{ids['product_quiz']}").get_data(as_text=True)
    assert "You can try again from" in page
    start(trainee, ids["product_quiz"])
    assert open_attempt(app, TRAINEE, ids["product_quiz"]) is None
    with clock.travel(timedelta(minutes=59)):
        start(trainee, ids["product_quiz"])
        assert open_attempt(app, TRAINEE, ids["product_quiz"]) is None
    with clock.travel(timedelta(minutes=61)):
        start(trainee, ids["product_quiz"])
        assert open_attempt(app, TRAINEE, ids["product_quiz"]) is not None


def test_a_started_attempt_is_resumed_not_redrawn(app, trainee, ids):
    start(trainee, ids["product_quiz"])
    first = open_attempt(app, TRAINEE, ids["product_quiz"])
    start(trainee, ids["product_quiz"])
    assert open_attempt(app, TRAINEE, ids["product_quiz"]).id == first.id
    page = trainee.get(f"/training/quizzes/{ids['product_quiz']}").get_data(as_text=True)
    assert "Submit answers" in page


def test_a_pool_draws_n_of_m_questions_and_shuffles(app, login_as, ids):
    with app.app_context():
        quiz = db.session.get(Quiz, ids["product_quiz"])
        quiz.draw_count, quiz.shuffle, quiz.max_attempts = 3, True, 20
        db.session.commit()
        all_ids = {q.id for q in quiz.questions}
    client = login_as(TRAINEE)
    complete_lessons(client, ids["lessons"])
    drawn_sets, orders = set(), set()
    for _ in range(8):
        take_quiz(app, client, TRAINEE, ids["product_quiz"], right=0)
    with app.app_context():
        for attempt in db.session.scalars(sa.select(Attempt).where(Attempt.quiz_id == ids["product_quiz"],
                                                                   Attempt.user_id == find_user(TRAINEE).id)):
            drawn = [a.question_id for a in attempt.answers]
            assert len(drawn) == 3 and set(drawn) <= all_ids and attempt.question_count == 3
            drawn_sets.add(frozenset(drawn))
            orders.add(tuple(drawn))
    assert len(drawn_sets) > 1 and len(orders) > 1


def test_passing_the_final_exam_after_the_lessons_issues_the_certificate(app, trainee, ids):
    take_quiz(app, trainee, TRAINEE, ids["product_quiz"], right=2)
    response = take_quiz(app, trainee, TRAINEE, ids["product_quiz"], right=4)  # 80 %: the pass mark
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Passed" in html and "80%" in html
    assert "You are certified" in html and "Download your certificate" in html
    assert "is-key" in html  # the key is shown once passed
    with app.app_context():
        user = find_user(TRAINEE)
        [certificate] = db.session.scalars(sa.select(Certificate).where(Certificate.user_id == user.id)).all()
        assert certificate.certification_name == "Sales Fundamentals"
        assert certificate.holder_name == "Toby Walsh" and certificate.org_name == "Kestrel Referral Co"
        assert (certificate.expires_at - certificate.issued_at).days in range(365, 367)
        assert certificate.status.value == "valid"
    page = trainee.get(f"/training/quizzes/{ids['product_quiz']}").get_data(as_text=True)
    assert "You have passed this quiz." in page and "Start the quiz" not in page
    assert "Sales Fundamentals" in trainee.get("/training").get_data(as_text=True)


def test_the_key_is_not_shown_after_a_failed_attempt_while_attempts_remain(app, trainee, ids):
    html = take_quiz(app, trainee, TRAINEE, ids["product_quiz"], right=1).get_data(as_text=True)
    assert "is-key" not in html and "shown once you pass" in html


def test_an_expired_certificate_needs_the_recertification_exam(app, login_as, ids):
    """sales@silver.demo's certificate expired: the exam opens again with fresh attempts,
    and passing it issues a new certificate; the old code stays expired."""
    client = login_as("sales@silver.demo")
    path = client.get(f"/training/paths/{ids['sales_path']}").get_data(as_text=True)
    assert "Recertification exam" in path and "Expired" in path
    quiz = client.get(f"/training/quizzes/{ids['product_quiz']}").get_data(as_text=True)
    assert "needs renewing" in quiz and "passed" not in quiz  # the old pass says nothing about today
    response = take_quiz(app, client, "sales@silver.demo", ids["product_quiz"])
    assert "You are certified" in response.get_data(as_text=True)
    with app.app_context():
        user = find_user("sales@silver.demo")
        certificates = db.session.scalars(sa.select(Certificate).where(Certificate.user_id == user.id)
                                          .order_by(Certificate.issued_at)).all()
        assert [c.status.value for c in certificates] == ["expired", "valid"]
        assert certificates[0].code == "DEMO-CERT-0002" and certificates[1].code != "DEMO-CERT-0002"


def test_a_valid_certificate_holder_cannot_retake_until_the_renewal_window(app, login_as, ids):
    client = login_as("sales@gold.demo")
    start(client, ids["product_quiz"])
    assert open_attempt(app, "sales@gold.demo", ids["product_quiz"]) is None
    with app.app_context():
        certificate = db.session.scalar(sa.select(Certificate).where(Certificate.code == "DEMO-CERT-0001"))
        until_window = certificate.expires_at - clock.now() - timedelta(days=60)
    with clock.travel(until_window + timedelta(days=1)):
        assert "Recertification exam" in client.get(f"/training/paths/{ids['sales_path']}").get_data(as_text=True)
        start(client, ids["product_quiz"])
        assert open_attempt(app, "sales@gold.demo", ids["product_quiz"]) is not None


def test_vendor_staff_preview_but_do_not_take_quizzes(login_as, ids):
    client = login_as("admin@vendor.demo")
    assert client.get(f"/training/quizzes/{ids['product_quiz']}").status_code == 200
    assert start(client, ids["product_quiz"]).status_code == 404
    assert post(client, f"/training/lessons/{ids['lessons'][0]}/complete").status_code == 404


def test_marking_a_lesson_complete_swaps_the_status_block(login_as, ids):
    client = login_as(TRAINEE)
    lesson = ids["lessons"][2]
    page = client.get(f"/training/lessons/{lesson}").get_data(as_text=True)
    assert "Mark complete" in page
    response = post(client, f"/training/lessons/{lesson}/complete", htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<section class="card lesson-status"')
    assert "You completed this lesson" in html
    assert "Vary" in response.headers and "HX-Request" in response.headers["Vary"]
    plain = post(client, f"/training/lessons/{lesson}/complete")  # idempotent, and works without htmx
    assert plain.status_code == 303
    progress = client.get("/training").get_data(as_text=True)
    assert "75%" in progress  # 3 of 4 steps


def test_enrolling(login_as, ids):
    client = login_as("sales@gold.demo")
    with_client = client.get("/training").get_data(as_text=True)
    assert "Sales Fundamentals" in with_client
    presales = login_as("presales@gold.demo")
    page = presales.get("/training").get_data(as_text=True)
    assert "Technical Specialist" in page and "You have not started a path yet" in page
    response = post(presales, f"/training/paths/{ids['tech_path']}/enroll")
    assert response.status_code == 303
    page = presales.get("/training").get_data(as_text=True)
    assert "Continue" in page or "Start:" in page
    assert "Reference architecture" in page  # the next step


def test_room_card_is_lazy_and_partner_only(login_as, ids):
    client = login_as(TRAINEE)
    room = client.get("/rooms/sales").get_data(as_text=True)
    assert 'hx-get="/rooms/sales/training"' in room
    card = htmx_get(client, "/rooms/sales/training")
    html = card.get_data(as_text=True)
    assert card.status_code == 200 and html.lstrip().startswith('<section class="card room-training"')
    assert "Sales Fundamentals" in html and "50%" in html
    assert htmx_get(login_as("admin@vendor.demo"), "/rooms/sales/training").status_code == 404
    assert htmx_get(client, "/rooms/nope/training").status_code == 404
