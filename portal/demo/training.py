"""Training demo data (README.md): the "Sales Fundamentals" and "Technical Specialist" paths,
a valid certificate for sales@gold.demo (DEMO-CERT-0001), trainee@registered.demo half-way
through, and an expired certificate at Harborline IT (DEMO-CERT-0002)."""
import json
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from portal.core import clock
from portal.core.access import AudienceSpec, apply_audience
from portal.core.models import Audience, Persona, User
from portal.extensions import db
from portal.training import certificates
from portal.training.models import (
    Attempt, AttemptAnswer, Course, Enrollment, LearningPath, Lesson, LessonCompletion, PathCourse, Question,
    QuestionKind, Quiz, QuizOption,
)

VALID_CODE = "DEMO-CERT-0001"
EXPIRED_CODE = "DEMO-CERT-0002"

COURSES = Path(__file__).resolve().parent / "data" / "training.json"  # the courses' lessons and questions


def _contents(key: str) -> tuple[list, list]:
    """(lessons as (title, Markdown body), questions as (kind, text, options, explanation))."""
    course = json.loads(COURSES.read_text(encoding="utf-8"))[key]
    lessons = [(lesson["title"], lesson["body"]) for lesson in course["lessons"]]
    questions = [(QuestionKind(q["kind"]), q["text"], [tuple(option) for option in q["options"]], q["explanation"])
                 for q in course["questions"]]
    return lessons, questions


def _course(title: str, summary: str, lessons, questions, **quiz_settings) -> Course:
    course = Course(title=title, summary=summary, quiz=Quiz(**quiz_settings))
    for position, (lesson_title, body) in enumerate(lessons):
        lesson = Lesson(title=lesson_title, position=position)
        lesson.set_body(body)
        course.lessons.append(lesson)
    for position, (kind, text, options, explanation) in enumerate(questions):
        question = Question(kind=kind, text=text, explanation=explanation, position=position)
        question.options = [QuizOption(text=o, correct=c, position=i) for i, (o, c) in enumerate(options)]
        course.quiz.questions.append(question)
    db.session.add(course)
    return course


def _path(title: str, summary: str, course: Course, certification: str, months: int, spec: AudienceSpec):
    path = LearningPath(title=title, summary=summary, published=True, certification_name=certification,
                        validity_months=months, audience=apply_audience(Audience(), spec))
    path.path_courses.append(PathCourse(course=course, position=0))
    db.session.add(path)
    db.session.flush()
    path.exam_id = course.quiz_id
    return path


def _user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _complete(user: User, course: Course, lessons: int, at) -> None:
    for lesson in course.lessons[:lessons]:
        db.session.add(LessonCompletion(user_id=user.id, lesson_id=lesson.id, completed_at=at))


def _passing_attempt(user: User, quiz: Quiz, at) -> Attempt:
    attempt = Attempt(user_id=user.id, org_id=user.org_id, quiz_id=quiz.id, started_at=at - timedelta(minutes=9),
                      submitted_at=at, question_count=len(quiz.questions), correct_count=len(quiz.questions),
                      score=100, passed=True)
    attempt.answers = [AttemptAnswer(question_id=q.id, position=i, chosen=sorted(q.correct_ids), correct=True)
                       for i, q in enumerate(quiz.questions)]
    db.session.add(attempt)
    db.session.flush()
    return attempt


def _certified(user: User, path: LearningPath, course: Course, issued_at, code: str) -> None:
    db.session.add(Enrollment(user_id=user.id, path_id=path.id, enrolled_at=issued_at - timedelta(days=3)))
    _complete(user, course, len(course.lessons), issued_at - timedelta(days=1))
    attempt = _passing_attempt(user, course.quiz, issued_at)
    certificates.issue_certificate(user, path, attempt, issued_at=issued_at, code=code, tell=False)


def seed_demo_training() -> None:
    if db.session.scalar(sa.select(LearningPath.id).limit(1)) is not None:
        return
    now = clock.now()
    product = _course("Product Fundamentals", "The portfolio, the buyers and the licensing basics, in three short "
                      "lessons and a five-question quiz.", *_contents("product"),
                      pass_mark=80, max_attempts=3, cooldown_minutes=0, shuffle=False)
    technical = _course("Architecture and Proofs of Concept", "How Acme Cloud is deployed, and how to run a proof "
                        "of concept that wins the deal.", *_contents("technical"),
                        pass_mark=75, max_attempts=3, cooldown_minutes=60, shuffle=True, draw_count=3)
    db.session.flush()
    sales = _path("Sales Fundamentals", "Everything a partner sales rep needs to sell Acme Cloud: the portfolio, "
                  "the buyers and pricing.", product, "Sales Fundamentals", 12,
                  AudienceSpec(personas=frozenset({Persona.sales})))
    _path("Technical Specialist", "For presales engineers of Gold and Platinum partners: architecture "
                     "and proofs of concept.", technical, "Technical Specialist", 24,
                     AudienceSpec.tier_floor("gold", personas=frozenset({Persona.presales})))

    _certified(_user("sales@gold.demo"), sales, product, now - timedelta(days=90), VALID_CODE)
    _certified(_user("sales@silver.demo"), sales, product, now - timedelta(days=400), EXPIRED_CODE)
    # What the program counts (portal/demo/program.py): the partner admins' Sales Fundamentals;
    # Grace Holt's (Summit) lapsed 25 days ago, so Summit is one short of Gold.
    for email, days_ago, code in [("admin@gold.demo", 365 + 25, "DEMO-CERT-0101"),
                                  ("admin@silver.demo", 60, "DEMO-CERT-0102"),
                                  ("admin@registered.demo", 30, "DEMO-CERT-0103"),
                                  ("admin@tier2.demo", 45, "DEMO-CERT-0104")]:
        _certified(_user(email), sales, product, now - timedelta(days=days_ago), code)
    trainee = _user("trainee@registered.demo")
    db.session.add(Enrollment(user_id=trainee.id, path_id=sales.id, enrolled_at=now - timedelta(days=2)))
    _complete(trainee, product, 2, now - timedelta(days=1))  # 2 of 4 steps: half-way

    db.session.flush()
