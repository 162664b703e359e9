"""The vendor's editor: courses, lessons, quizzes, questions and paths; bad input answers
422 with a message per field and changes nothing; CSRF is required; only vendor admins edit."""
import sqlalchemy as sa

from helpers import post
from portal.core.models import AuditEvent, Tier
from portal.extensions import db
from portal.training.models import Course, LearningPath, Lesson, Question, Quiz


def db_tier_id(app, key):
    with app.app_context():
        return db.session.scalar(sa.select(Tier.id).where(Tier.key == key))


def _count(app, model):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_vendor_admin_builds_a_path_end_to_end(app, login_as):
    client = login_as("admin@vendor.demo")
    response = post(client, "/training/manage/courses/new", {"title": "Backup Deep Dive", "summary": "Restores."})
    assert response.status_code == 303
    course_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    response = post(client, f"/training/manage/courses/{course_id}/lessons/new", {
        "title": "Immutable storage", "body": "# Why\n\nRansomware <script>alert(1)</script> **deletes** backups.",
        "video_url": "https://videos.example.com/immutable"})
    assert response.status_code == 303
    response = post(client, f"/training/manage/courses/{course_id}/quiz", {
        "pass_mark": "70", "max_attempts": "2", "cooldown_minutes": "30", "shuffle": "y", "draw_count": ""})
    assert response.status_code == 303
    with app.app_context():
        course = db.session.get(Course, course_id)
        quiz_id = course.quiz_id
        lesson = course.lessons[0]
        assert "<script>" not in lesson.body_html and "&lt;script&gt;" in lesson.body_html
        assert "<strong>deletes</strong>" in lesson.body_html
        assert course.quiz.pass_mark == 70 and course.quiz.cooldown_minutes == 30 and course.quiz.shuffle
    response = post(client, f"/training/manage/quizzes/{quiz_id}/questions/new", {
        "text": "Which copies survive ransomware?", "kind": "multiple", "explanation": "Immutable and offline ones.",
        "options-0-text": "Immutable copies", "options-0-correct": "y", "options-1-text": "Offline copies",
        "options-1-correct": "y", "options-2-text": "A second folder on the same NAS"})
    assert response.status_code == 303
    with app.app_context():
        [question] = db.session.get(Quiz, quiz_id).questions
        assert [(o.text, o.correct) for o in question.options] == [
            ("Immutable copies", True), ("Offline copies", True), ("A second folder on the same NAS", False)]
        option_ids = [o.id for o in question.options]
        question_id = question.id
    # editing keeps option ids by position
    response = post(client, f"/training/manage/questions/{question_id}", {
        "text": "Which copies survive ransomware?", "kind": "single", "explanation": "",
        "options-0-text": "Immutable copies", "options-0-correct": "y", "options-1-text": "Offline copies"})
    assert response.status_code == 303
    with app.app_context():
        question = db.session.get(Question, question_id)
        assert [o.id for o in question.options] == option_ids[:2] and question.kind.value == "single"
    response = post(client, "/training/manage/paths/new", {
        "title": "Backup Specialist", "summary": "", "published": "y", "certification_name": "Backup Specialist",
        "validity_months": "24", "exam_id": "", "audience-tiers": ["silver", "gold", "platinum"]})
    assert response.status_code == 422  # a certification needs a final exam
    assert "needs a final exam" in response.get_data(as_text=True)
    assert 'id="published-error"' in response.get_data(as_text=True)
    response = post(client, "/training/manage/paths/new", {
        "title": "Backup Specialist", "summary": "", "published": "y", "certification_name": "",
        "validity_months": "24", "exam_id": "", "audience-tiers": ["silver", "gold", "platinum"]})
    assert response.status_code == 303
    path_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    assert post(client, f"/training/manage/paths/{path_id}/courses", {"course_id": str(course_id)}).status_code == 303
    response = post(client, f"/training/manage/paths/{path_id}", {
        "title": "Backup Specialist", "summary": "", "published": "y", "certification_name": "Backup Specialist",
        "validity_months": "24", "exam_id": str(quiz_id), "audience-tiers": ["silver", "gold", "platinum"]})
    assert response.status_code == 303
    with app.app_context():
        path = db.session.get(LearningPath, path_id)
        assert path.certifies and path.exam_id == quiz_id and path.validity_months == 24
        assert [c.id for c in path.courses] == [course_id]
        actions = set(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.in_(
            ["course.create", "lesson.create", "quiz.create", "question.create", "question.update", "path.create",
             "path.add_course", "path.update"]))))
        assert len(actions) == 8
    # Silver sees the new path, Registered does not
    assert login_as("sales@silver.demo").get(f"/training/paths/{path_id}").status_code == 200
    assert login_as("trainee@registered.demo").get(f"/training/paths/{path_id}").status_code == 404
    # a tier asks for it in the program's criteria
    silver = db_tier_id(app, "silver")
    response = post(client, f"/program/tiers/{silver}/criteria", {"kind": "certified_people", "path_id": str(path_id),
                                                                 "target": "2", "window_months": "12"})
    assert response.status_code == 303
    program = login_as("admin@silver.demo").get("/program/").get_data(as_text=True)
    assert "Backup Specialist" in program and "0 of 2" in program


def test_bad_editor_input_answers_422_with_field_messages(app, login_as, ids):
    client = login_as("admin@vendor.demo")
    courses, lessons, questions = _count(app, Course), _count(app, Lesson), _count(app, Question)
    response = post(client, "/training/manage/courses/new", {"title": "  ", "summary": "x" * 1001})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="title-error"' in html and "Give the course a title." in html and 'id="summary-error"' in html
    response = post(client, f"/training/manage/courses/{ids['product_course']}/lessons/new",
                    {"title": "Video", "body": "text", "video_url": "javascript:alert(1)"})
    assert response.status_code == 422 and "https://" in response.get_data(as_text=True)
    response = post(client, f"/training/manage/courses/{ids['product_course']}/lessons/new",
                    {"title": "Video", "body": "text", "video_url": "http://videos.example.com/x"})
    assert response.status_code == 422
    response = post(client, f"/training/manage/courses/{ids['product_course']}/quiz",
                    {"pass_mark": "101", "max_attempts": "0", "cooldown_minutes": "-1"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="pass_mark-error"' in html and 'id="max_attempts-error"' in html and 'id="cooldown_minutes-error"' in html
    quiz_url = f"/training/manage/quizzes/{ids['product_quiz']}/questions/new"
    for data, message in [
        ({"text": "Q?", "kind": "single", "options-0-text": "Only one", "options-0-correct": "y"}, "at least two options"),
        ({"text": "Q?", "kind": "single", "options-0-text": "A", "options-0-correct": "y", "options-1-text": "B",
          "options-1-correct": "y"}, "exactly one option"),
        ({"text": "Q?", "kind": "multiple", "options-0-text": "A", "options-1-text": "B"}, "at least one option"),
        ({"text": "Q?", "kind": "single", "options-0-text": "A", "options-1-text": "B", "options-2-correct": "y"},
         "has no text"),
        ({"text": "", "kind": "single", "options-0-text": "A", "options-0-correct": "y", "options-1-text": "B"},
         "Write the question."),
    ]:
        response = post(client, quiz_url, data)
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True), message
    assert (courses, lessons, questions) == (_count(app, Course), _count(app, Lesson), _count(app, Question))


def test_editor_needs_csrf(app, login_as, ids):
    client = login_as("admin@vendor.demo")
    for url, data in [("/training/manage/courses/new", {"title": "No token"}),
                      (f"/training/manage/courses/{ids['product_course']}/quiz", {"pass_mark": "50"}),
                      (f"/training/manage/courses/{ids['product_course']}/delete", {})]:
        assert client.post(url, data=data).status_code == 400, url
    trainee = login_as("trainee@registered.demo")
    assert trainee.post(f"/training/lessons/{ids['lessons'][2]}/complete").status_code == 400
    htmx = trainee.post(f"/training/quizzes/{ids['product_quiz']}/start", headers={"HX-Request": "true"})
    assert htmx.status_code == 400 and htmx.headers["HX-Refresh"] == "true"
    assert _count(app, Course) == 2


def test_only_vendor_admins_edit(login_as, ids):
    for email, expected in [("channel@vendor.demo", 403), ("admin@gold.demo", 403), ("sales@gold.demo", 403)]:
        client = login_as(email)
        assert client.get("/training/manage/courses/new").status_code == expected
        assert client.get(f"/training/manage/courses/{ids['product_course']}").status_code == expected
        assert post(client, f"/training/manage/paths/{ids['sales_path']}/delete").status_code == expected
    assert login_as("channel@vendor.demo").get("/training/manage").status_code == 200
    assert login_as("admin@gold.demo").get("/training/manage").status_code == 403


def test_deleting_needs_no_history(app, login_as, ids):
    client = login_as("admin@vendor.demo")
    # people hold certificates from the path and took the course: both stay
    assert post(client, f"/training/manage/paths/{ids['sales_path']}/delete").status_code == 303
    assert post(client, f"/training/manage/courses/{ids['product_course']}/delete").status_code == 303
    with app.app_context():
        assert db.session.get(LearningPath, ids["sales_path"]) is not None
        assert db.session.get(Course, ids["product_course"]) is not None
    # a fresh course goes
    response = post(client, "/training/manage/courses/new", {"title": "Scratch"})
    course_id = int(response.headers["Location"].split("/")[-1])
    assert post(client, f"/training/manage/courses/{course_id}/delete").status_code == 303
    with app.app_context():
        assert db.session.get(Course, course_id) is None


def test_lessons_and_path_courses_move(app, login_as, ids):
    client = login_as("admin@vendor.demo")
    first, second = ids["lessons"][:2]
    assert post(client, f"/training/manage/lessons/{second}/move", {"direction": "up"}).status_code == 303
    with app.app_context():
        assert [lesson.id for lesson in db.session.get(Course, ids["product_course"]).lessons][:2] == [second, first]
    page = client.get(f"/training/manage/courses/{ids['product_course']}").get_data(as_text=True)
    assert "Move “" in page  # labelled buttons: keyboard and screen-reader usable


def test_lessons_and_questions_are_deleted(app, login_as):
    client = login_as("admin@vendor.demo")
    response = post(client, "/training/manage/courses/new", {"title": "Scratch"})
    course_id = int(response.headers["Location"].split("/")[-1])
    post(client, f"/training/manage/courses/{course_id}/lessons/new", {"title": "  Only lesson ", "body": "Text."})
    post(client, f"/training/manage/courses/{course_id}/quiz", {"pass_mark": "80", "max_attempts": "3",
                                                                "cooldown_minutes": "0"})
    with app.app_context():
        course = db.session.get(Course, course_id)
        lesson_id, quiz_id = course.lessons[0].id, course.quiz_id
        assert course.lessons[0].title == "Only lesson"  # stripped by the form
    post(client, f"/training/manage/quizzes/{quiz_id}/questions/new", {
        "text": "Yes?", "kind": "single", "options-0-text": "Yes", "options-0-correct": "y", "options-1-text": "No"})
    with app.app_context():
        [question] = db.session.get(Quiz, quiz_id).questions
        question_id = question.id
    response = post(client, f"/training/manage/lessons/{lesson_id}/delete")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/courses/{course_id}#lessons")
    response = post(client, f"/training/manage/questions/{question_id}/delete")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/courses/{course_id}#quiz")
    with app.app_context():
        assert db.session.get(Lesson, lesson_id) is None and db.session.get(Question, question_id) is None
