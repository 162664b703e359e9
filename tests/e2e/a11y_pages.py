"""The main pages of every persona, checked by the Nu Html Checker (test_markup.py) and
axe-core (test_accessibility.py). Detail pages are found by name in the demo data."""
from pathlib import Path

import sqlalchemy as sa

NODE_MODULES = Path(__file__).parent / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"


def checker(path: Path) -> Path:
    """A checker from npm, or an error that says how to install it (never a skip)."""
    if not path.exists():
        raise RuntimeError(f"{path} is missing: run `npm ci --prefix tests/e2e` (see .ci/run).")
    return path


def main_pages(app) -> dict[str | None, list[str]]:
    """{email (None: signed out): [path, ...]} over the demo data."""
    from portal.agreements.models import Agreement
    from portal.assets.models import Asset
    from portal.cobrand.models import CobrandTemplate
    from portal.core.models import Organization
    from portal.deals.models import Deal
    from portal.extensions import db
    from portal.onboarding.models import Application
    from portal.training.models import Course, LearningPath, Lesson

    def first(column):
        return db.session.scalar(sa.select(column))

    with app.app_context():
        gold = db.session.scalar(sa.select(Organization.id).where(Organization.name == "Summit Peak Systems"))
        course = db.session.scalar(sa.select(Course).where(Course.title == "Product Fundamentals"))
        ids = {
            "asset": first(sa.func.min(Asset.id)),
            "deal": db.session.scalar(sa.select(sa.func.min(Deal.id)).where(Deal.org_id == gold)),
            "template": first(sa.func.min(CobrandTemplate.id)),
            "path": db.session.scalar(sa.select(LearningPath.id).where(LearningPath.title == "Sales Fundamentals")),
            "lesson": db.session.scalar(sa.select(sa.func.min(Lesson.id)).where(Lesson.course_id == course.id)),
            "quiz": course.quiz_id,
            "gold": gold,
            "application": db.session.scalar(sa.select(Application.id).where(
                Application.company == "Northwind Solutions")),
            "agreement": first(sa.func.min(Agreement.id)),
        }
    return {
        None: ["/login", "/password/forgot", "/apply", "/agreements/verify/DEMO-AGR-0001"],
        "sales@gold.demo": ["/rooms/sales", "/deals", "/deals/new", f"/deals/{ids['deal']}", "/notifications",
                            "/profile"],
        "marketing@gold.demo": ["/rooms/marketing", "/assets", "/search?q=backup", f"/assets/{ids['asset']}",
                                "/co-brand", f"/co-brand/{ids['template']}", "/brand-kit"],
        "admin@gold.demo": ["/team/", "/training/team", "/program/", "/agreements/current"],
        "trainee@registered.demo": ["/training", f"/training/paths/{ids['path']}", f"/training/lessons/{ids['lesson']}",
                                    f"/training/quizzes/{ids['quiz']}"],
        "channel@vendor.demo": ["/deals/review", "/audit"],
        "admin@distributor.demo": ["/program/resellers", "/program/resellers/register"],
        "admin@registered.demo": ["/program/", "/program/what-if", "/onboarding/"],
        "admin@vendor.demo": ["/partners/", f"/partners/{ids['gold']}", "/announcements", "/assets/downloads",
                              "/deals/house-accounts", "/training/manage", "/training/stats", "/outbox", "/program/tiers",
                              "/program/changes", f"/program/partners/{ids['gold']}", "/program/settings",
                              "/applications/", f"/applications/{ids['application']}", "/applications/settings",
                              "/onboarding/checklists", "/onboarding/cohorts",
                              "/agreements/", f"/agreements/{ids['agreement']}", "/agreements/new"],
    }
