"""Training demo data (README.md): the "Sales Fundamentals" and "Technical Specialist" paths,
a valid certificate for sales@gold.demo (DEMO-CERT-0001), trainee@registered.demo half-way
through, an expired certificate at Harborline IT (DEMO-CERT-0002) and the tiers' requirements."""
from datetime import timedelta

import sqlalchemy as sa

from portal.core import clock
from portal.core.access import AudienceSpec, apply_audience
from portal.core.models import Audience, Persona, Tier, User
from portal.extensions import db
from portal.training import certificates
from portal.training.models import (
    Attempt, AttemptAnswer, Course, Enrollment, LearningPath, Lesson, LessonCompletion, PathCourse, Question,
    QuestionKind, Quiz, QuizOption, TierRequirement,
)

VALID_CODE = "DEMO-CERT-0001"
EXPIRED_CODE = "DEMO-CERT-0002"

PRODUCT_LESSONS = [
    ("The Acme Cloud portfolio", """\
Acme Cloud sells **six products** that work on their own and better together:

- **Acme Cloud Platform**: virtual machines, containers and managed databases in one console,
  in the customer's data centre and in public clouds.
- **Acme Backup**: backup and recovery for VMs, servers, Microsoft 365 and SaaS data.
- **Acme Secure Edge**: zero-trust access and a secure web gateway.
- **Acme Analytics**, **Acme Identity** and **Acme Observability** round it off.

Most first deals start with *Platform* or *Backup*; the others follow as add-ons.
"""),
    ("Who buys, and why", """\
Our buyers are **IT leaders in mid-market and enterprise companies** (500 to 20,000 employees).

1. The *infrastructure manager* feels the pain: too many tools, too little time.
2. The *CIO or IT director* signs: they want lower risk and predictable cost.
3. The *security team* can block a deal: bring them in early.

Ask about their last outage or restore test: it opens every good conversation.
"""),
    ("Licensing and pricing basics", """\
Acme Cloud Platform is licensed **per managed vCPU, billed annually**. Acme Backup is licensed
**per protected workload**; Microsoft 365 protection per user.

- Standard and Enterprise editions; Enterprise adds multi-site policies and 24/7 support.
- Multi-year terms earn a discount; ask the channel team before you quote one.
- Register the deal first: an approved registration protects your price for 90 days.
"""),
]

PRODUCT_QUESTIONS = [
    (QuestionKind.single, "How is Acme Cloud Platform licensed?",
     [("Per managed vCPU, billed annually", True), ("Per named user, billed monthly", False),
      ("Per data centre, one-off", False)],
     "Platform is licensed per managed vCPU and billed annually; Backup is licensed per protected workload."),
    (QuestionKind.multiple, "Which of these are Acme Cloud products? (Choose all that apply.)",
     [("Acme Backup", True), ("Acme Secure Edge", True), ("Acme Payroll", False), ("Acme Analytics", True)],
     "Backup, Secure Edge and Analytics are Acme Cloud products; there is no Acme Payroll."),
    (QuestionKind.single, "Who usually signs an Acme Cloud deal?",
     [("The CIO or IT director", True), ("The infrastructure manager", False), ("The security team", False)],
     "The infrastructure manager feels the pain, but the CIO or IT director signs."),
    (QuestionKind.single, "How long does an approved deal registration protect your price?",
     [("30 days", False), ("90 days", True), ("One year", False)],
     "An approved registration is protected for 90 days, and it can be extended."),
    (QuestionKind.multiple, "What does the Enterprise edition add over Standard? (Choose all that apply.)",
     [("Multi-site policies", True), ("24/7 support", True), ("Free hardware", False)],
     "Enterprise adds multi-site policies and 24/7 support."),
]

TECH_LESSONS = [
    ("Reference architecture", """\
A typical deployment has **one control plane** (hosted by Acme or on premises) and
**lightweight agents** on each site. Agents only make outbound connections on port 443.

Size the control plane for the number of managed vCPUs; one node handles up to 5,000.
"""),
    ("Running a proof of concept", """\
A good proof of concept takes **two weeks** and has written success criteria:

1. Agree on three measurable goals with the customer.
2. Protect one real workload and restore it.
3. Review the results with the signer, not only the engineers.
"""),
]

TECH_QUESTIONS = [
    (QuestionKind.single, "Which connections do Acme agents make?",
     [("Outbound only, on port 443", True), ("Inbound on port 22", False), ("Both ways on any port", False)],
     "Agents only connect outbound on 443, so no firewall changes are needed inbound."),
    (QuestionKind.single, "How many managed vCPUs does one control plane node handle?",
     [("Up to 500", False), ("Up to 5,000", True), ("Unlimited", False)],
     "One node handles up to 5,000 managed vCPUs."),
    (QuestionKind.multiple, "What belongs in a proof of concept? (Choose all that apply.)",
     [("Written success criteria", True), ("A real restore", True), ("A six-month timeline", False)],
     "Two weeks, written success criteria and a real restore reviewed with the signer."),
    (QuestionKind.single, "Who should review the proof of concept results?",
     [("Only the engineers", False), ("The signer", True), ("Nobody", False)],
     "Review the results with the person who signs, not only with the engineers."),
]


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
                      "lessons and a five-question quiz.", PRODUCT_LESSONS, PRODUCT_QUESTIONS,
                      pass_mark=80, max_attempts=3, cooldown_minutes=0, shuffle=False)
    technical = _course("Architecture and Proofs of Concept", "How Acme Cloud is deployed, and how to run a proof "
                        "of concept that wins the deal.", TECH_LESSONS, TECH_QUESTIONS,
                        pass_mark=75, max_attempts=3, cooldown_minutes=60, shuffle=True, draw_count=3)
    db.session.flush()
    sales = _path("Sales Fundamentals", "Everything a partner sales rep needs to sell Acme Cloud: the portfolio, "
                  "the buyers and pricing.", product, "Sales Fundamentals", 12,
                  AudienceSpec(personas=frozenset({Persona.sales})))
    presales = _path("Technical Specialist", "For presales engineers of Gold and Platinum partners: architecture "
                     "and proofs of concept.", technical, "Technical Specialist", 24,
                     AudienceSpec.tier_floor(Tier.gold, personas=frozenset({Persona.presales})))

    _certified(_user("sales@gold.demo"), sales, product, now - timedelta(days=90), VALID_CODE)
    _certified(_user("sales@silver.demo"), sales, product, now - timedelta(days=400), EXPIRED_CODE)
    trainee = _user("trainee@registered.demo")
    db.session.add(Enrollment(user_id=trainee.id, path_id=sales.id, enrolled_at=now - timedelta(days=2)))
    _complete(trainee, product, 2, now - timedelta(days=1))  # 2 of 4 steps: half-way

    for tier, path, count in [(Tier.silver, sales, 1), (Tier.gold, sales, 3), (Tier.gold, presales, 1),
                              (Tier.platinum, sales, 5), (Tier.platinum, presales, 2)]:
        db.session.add(TierRequirement(tier=tier, path=path, count=count))
    db.session.flush()
