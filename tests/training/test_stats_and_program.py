"""The vendor's statistics and CSV export; the partner's program standing (its own numbers only);
the partner admin's team page."""
import csv
import io

import sqlalchemy as sa

from portal.core.auth import find_user
from portal.extensions import db
from portal.training.models import Course
from training_support import complete_lessons, take_quiz


def _rows(response):
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_course_partner_and_question_stats(app, login_as, ids):
    trainee = login_as("trainee@registered.demo")
    complete_lessons(trainee, ids["lessons"])
    take_quiz(app, trainee, "trainee@registered.demo", ids["product_quiz"], right=0)
    take_quiz(app, trainee, "trainee@registered.demo", ids["product_quiz"])
    vendor = login_as("channel@vendor.demo")
    page = vendor.get("/training/stats")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Product Fundamentals" in html and "Kestrel Referral Co" in html and "Hardest questions" in html
    courses = {row["course"]: row for row in _rows(vendor.get("/training/stats.csv?by=course"))}
    product = courses["Product Fundamentals"]
    # learners: sales@gold, sales@silver and four partner admins (seeded, certified) and the
    # trainee; all seven complete
    assert product["learners"] == "7" and product["completed"] == "7" and product["completion_rate_pct"] == "100"
    assert product["attempts"] == "8" and product["passed"] == "7" and product["pass_rate_pct"] == "87"
    partners = {row["partner"]: row for row in _rows(vendor.get("/training/stats.csv?by=partner"))}
    kestrel = partners["Kestrel Referral Co"]
    # the trainee's two attempts and the admin's one: both certified
    assert kestrel["attempts"] == "3" and kestrel["pass_rate_pct"] == "66" and kestrel["certified_people"] == "2"
    assert partners["Harborline IT"]["certified_people"] == "1"  # Sean Byrne's expired; Sofia Brandt's counts
    questions = _rows(vendor.get("/training/stats.csv?by=question"))
    assert len(questions) == 5 and all(row["answered"] == "8" for row in questions)
    assert all(row["wrong"] == "1" and row["wrong_share_pct"] == "12" for row in questions)
    response = vendor.get("/training/stats.csv?by=course")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    assert vendor.get("/training/stats.csv?by=nothing").status_code == 404


def test_csv_cells_are_defused(app, login_as):
    with app.app_context():
        db.session.scalar(sa.select(Course).where(Course.title == "Product Fundamentals")).title = "=HYPERLINK(1)"
        db.session.commit()
    rows = _rows(login_as("admin@vendor.demo").get("/training/stats.csv?by=course"))
    assert "'=HYPERLINK(1)" in {row["course"] for row in rows}


def test_stats_are_for_vendor_staff(login_as):
    for email in ("admin@gold.demo", "sales@gold.demo"):
        client = login_as(email)
        assert client.get("/training/stats").status_code == 403
        assert client.get("/training/stats.csv").status_code == 403


def test_team_page_shows_progress_certifications_and_expiring(app, login_as):
    html = login_as("admin@silver.demo").get("/training/team").get_data(as_text=True)
    assert "Sean Byrne" in html and "Expired" in html
    assert "Expiring soon" in html and "expired" in html
    assert "Sam Rivera" not in html
    gold = login_as("admin@gold.demo").get("/training/team").get_data(as_text=True)
    assert "Sam Rivera" in gold and "Sales Fundamentals" in gold and "Valid" in gold
    assert "Grace Holt" in gold.split("Expiring soon")[1]  # her certification lapsed: the program counts it
    assert login_as("sales@gold.demo").get("/training/team").status_code == 403


def test_empty_states(app, login_as):
    with app.app_context():
        person = find_user("marketing@silver.demo")
        assert person is not None
    html = login_as("marketing@silver.demo").get("/training").get_data(as_text=True)
    assert "You have not started a path yet" in html
    assert "No learning path is open to you yet" in html
    assert "No certifications yet" in html
