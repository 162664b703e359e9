"""Who sees which path: the audience engine decides, and what a user may not see is a 404."""
import pytest
import sqlalchemy as sa

from helpers import htmx_get, post
from portal.core.access import AudienceSpec
from portal.core.auth import find_user
from portal.extensions import db
from portal.training import access, editor
from portal.training.models import LearningPath


def _urls(ids):
    return [f"/training/paths/{ids['tech_path']}", f"/training/courses/{ids['tech_course']}",
            f"/training/lessons/{ids['tech_lesson']}", f"/training/quizzes/{ids['tech_quiz']}"]


@pytest.mark.parametrize("email", ["sales@silver.demo", "admin@silver.demo", "trainee@registered.demo",
                                   "sales@gold.demo", "admin@tier2.demo"])
def test_the_gold_presales_path_is_not_found_for_others(login_as, ids, email):
    """Technical Specialist is for presales people of Gold and above: Silver and Registered
    people, and Gold's sales rep, cannot tell it exists."""
    client = login_as(email)
    for url in _urls(ids):
        assert client.get(url).status_code == 404, (email, url)
    assert post(client, f"/training/paths/{ids['tech_path']}/enroll").status_code == 404
    assert post(client, f"/training/quizzes/{ids['tech_quiz']}/start").status_code == 404
    assert post(client, f"/training/lessons/{ids['tech_lesson']}/complete").status_code == 404
    assert "Technical Specialist" not in client.get("/training").get_data(as_text=True)
    assert "Technical Specialist" not in htmx_get(client, "/rooms/presales/training").get_data(as_text=True)


@pytest.mark.parametrize("email", ["presales@gold.demo", "admin@gold.demo", "admin@distributor.demo"])
def test_the_gold_presales_path_is_open_to_its_audience(login_as, ids, email):
    """Presales people at Gold and above, and their admins (admins see every persona's content)."""
    client = login_as(email)
    for url in _urls(ids):
        assert client.get(url).status_code == 200, (email, url)
    assert "Technical Specialist" in client.get("/training").get_data(as_text=True)


def test_the_sales_path_follows_the_persona(login_as, ids):
    assert login_as("marketing@gold.demo").get(f"/training/paths/{ids['sales_path']}").status_code == 404
    assert login_as("trainee@registered.demo").get(f"/training/paths/{ids['sales_path']}").status_code == 200


def test_an_unpublished_path_is_hidden_from_partners_not_from_the_vendor(app, login_as, ids):
    with app.app_context():
        db.session.get(LearningPath, ids["sales_path"]).published = False
        db.session.commit()
    trainee = login_as("trainee@registered.demo")
    assert trainee.get(f"/training/paths/{ids['sales_path']}").status_code == 404
    assert trainee.get(f"/training/lessons/{ids['lessons'][0]}").status_code == 404
    assert login_as("admin@vendor.demo").get(f"/training/paths/{ids['sales_path']}").status_code == 200


def test_the_scoped_query_matches_the_audience_engine(app, demo):
    """paths_visible_to (SQL) agrees with may_see (Python) for every demo person."""
    from portal.core.access import may_see
    from portal.core.models import User

    with app.app_context():
        paths = db.session.scalars(sa.select(LearningPath)).all()
        for user in db.session.scalars(sa.select(User)).all():
            seen = set(db.session.scalars(access.paths_visible_to(user).with_only_columns(LearningPath.id)))
            expected = {p.id for p in paths if (p.published or user.is_vendor) and may_see(user, p.audience)}
            assert seen == expected, user.email


def test_a_named_partner_path(app, login_as):
    """A path for one named partner only: its people see it, other partners get 404."""
    with app.app_context():
        from portal.core.models import Organization

        silver = db.session.scalar(sa.select(Organization.id).where(Organization.name == "Harborline IT"))
        path = editor.save_path(find_user("admin@vendor.demo"), None, editor.PathInput(
            title="Harborline onboarding", summary="", published=True, certification_name=None, validity_months=None,
            exam_id=None, audience=AudienceSpec(org_ids=frozenset({silver}))))
        db.session.commit()
        path_id = path.id
    assert login_as("sales@silver.demo").get(f"/training/paths/{path_id}").status_code == 200
    assert login_as("sales@gold.demo").get(f"/training/paths/{path_id}").status_code == 404


def test_a_lessons_library_assets_follow_the_librarys_audience(app, login_as, ids):
    """Attached assets are read through the library's own scoped query (assets_for)."""
    from portal.assets.models import Asset
    from portal.training.models import Lesson

    with app.app_context():
        lesson = db.session.get(Lesson, ids["lessons"][0])
        lesson.assets = db.session.scalars(sa.select(Asset).where(Asset.title.in_(
            ["Product Overview Datasheet", "Gold Partner Pricing Playbook"]))).all()
        assert len(lesson.assets) == 2
        db.session.commit()
    url = f"/training/lessons/{ids['lessons'][0]}"
    registered = login_as("trainee@registered.demo").get(url).get_data(as_text=True)
    assert "Product Overview Datasheet" in registered and "Gold Partner Pricing Playbook" not in registered
    gold = login_as("sales@gold.demo").get(url).get_data(as_text=True)
    assert "Product Overview Datasheet" in gold and "Gold Partner Pricing Playbook" in gold
