import re
from datetime import timedelta

import sqlalchemy as sa

from factories import make_announcement
from helpers import htmx_get, post
from portal.core import clock
from portal.core.access import AudienceSpec
from portal.core.models import AuditEvent, Persona
from portal.extensions import db
from portal.rooms.models import Announcement


def titles_of(html: str) -> list[str]:
    return re.findall(r"<h3>(.*?)</h3>", html)


def titles(response) -> list[str]:
    return titles_of(response.get_data(as_text=True))


def test_room_shows_what_is_targeted_to_the_user_and_persona(login_as):
    gold_sales = titles(login_as("sales@gold.demo").get("/rooms/sales"))
    assert gold_sales[0] == "Welcome to Partnerhouse"  # pinned first
    assert "Gold and Platinum: double margin on new logos this quarter" in gold_sales
    assert "Sales: register deals early, they are protected for 90 days" in gold_sales
    assert "EMEA partner summit: Lisbon, 12–13 March" not in gold_sales  # NA partner
    assert "New campaign kit: Cloud Cost Control" not in gold_sales  # marketing only
    assert "MSP pricing pilot for Harborline IT" not in gold_sales  # named org
    assert "Holiday support hours" not in gold_sales  # expired
    assert "Spring pricing update (scheduled)" not in gold_sales  # not yet published

    silver = titles(login_as("marketing@silver.demo").get("/rooms/marketing"))
    assert "EMEA partner summit: Lisbon, 12–13 March" in silver
    assert "MSP pricing pilot for Harborline IT" in silver
    assert "New campaign kit: Cloud Cost Control" in silver
    assert "Gold and Platinum: double margin on new logos this quarter" not in silver


def test_room_switcher_shows_every_room_and_marks_the_users_own(login_as):
    html = login_as("presales@gold.demo").get("/rooms/sales").get_data(as_text=True)
    for persona in Persona:
        assert f'href="/rooms/{persona.value}"' in html
    assert re.search(r'href="/rooms/sales"\s+aria-current="page"', html)
    assert re.search(r'Presales <span class="badge">yours</span>', html)


def test_other_rooms_do_not_show_content_for_another_persona(login_as):
    client = login_as("sales@gold.demo")
    assert "New campaign kit: Cloud Cost Control" not in titles(client.get("/rooms/marketing"))
    assert "Sales: register deals early, they are protected for 90 days" not in titles(client.get("/rooms/marketing"))


def test_unknown_room_is_404(login_as):
    assert login_as("sales@gold.demo").get("/rooms/ceo").status_code == 404


def test_room_shows_more_announcements_on_demand(app, login_as):
    from portal.rooms.routes import ROOM_FEED_SIZE

    client = login_as("sales@gold.demo")
    with app.app_context():
        for i in range(ROOM_FEED_SIZE + 2):
            make_announcement(title=f"Bulk {i:02d}", publish_at=clock.now() - timedelta(minutes=i + 1))
        db.session.commit()
    first = client.get("/rooms/sales").get_data(as_text=True)
    assert len(titles_of(first)) == ROOM_FEED_SIZE and "Show more announcements" in first
    more = htmx_get(client, "/rooms/sales?page=2").get_data(as_text=True)
    assert more.lstrip().startswith("<article") and "<html" not in more
    assert set(titles_of(more)).isdisjoint(titles_of(first))
    assert "Show more announcements" not in more  # 12 bulk + 3 demo items fit in two pages


def test_markdown_is_rendered_safely(app, login_as):
    client = login_as("sales@gold.demo")
    with app.app_context():
        make_announcement(title="Tricky", body="**bold** <script>alert(1)</script> [x](javascript:alert(1))")
        db.session.commit()
    html = client.get("/rooms/sales").get_data(as_text=True)
    assert "<strong>bold</strong>" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript:' not in html


def test_vendor_creates_a_targeted_announcement(app, login_as):
    admin = login_as("admin@vendor.demo")
    form = {"title": "Platinum only", "body": "Hello", "publish_at": "2020-01-01T09:00",
            "audience-tiers": ["platinum"]}
    response = post(admin, "/announcements/new", form)
    assert response.status_code == 303
    assert "Platinum only" not in titles(login_as("sales@gold.demo").get("/rooms/sales"))
    assert "Platinum only" in titles(login_as("admin@distributor.demo").get("/rooms/sales"))
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "announcement.created"))
        assert event.after["audience"] == "Platinum"


def test_announcement_form_errors_are_422_and_change_nothing(app, login_as):
    admin = login_as("admin@vendor.demo")
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count(Announcement.id)))
    response = post(admin, "/announcements/new", {"title": "", "body": "x", "publish_at": "2030-01-02T00:00",
                                                  "expire_at": "2030-01-01T00:00"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "This field is required." in html and "expiry must come after" in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Announcement.id))) == before


def test_vendor_edits_and_deletes_an_announcement(app, login_as):
    admin = login_as("admin@vendor.demo")
    with app.app_context():
        announcement_id = make_announcement(AudienceSpec.tier_floor("silver"), title="Old title").id
        db.session.commit()
    edit = admin.get(f"/announcements/{announcement_id}/edit").get_data(as_text=True)
    assert re.search(r'<option selected value="silver">Silver and above</option>', edit)  # a floor, not a set
    assert not re.search(r'<input checked[^>]*value="silver"', edit)
    form = {"title": "New title", "body": "Body", "publish_at": "2020-01-01T09:00", "audience-tiers": ["gold"]}
    assert post(admin, f"/announcements/{announcement_id}/edit", form).status_code == 303
    assert "New title" in admin.get("/announcements").get_data(as_text=True)
    assert post(admin, f"/announcements/{announcement_id}/delete").status_code == 303
    assert admin.get(f"/announcements/{announcement_id}/edit").status_code == 404
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.subject_id == announcement_id,
                                                                        AuditEvent.subject_type == "Announcement"))
        assert set(actions) >= {"announcement.updated", "announcement.deleted"}


def test_announcement_pages_are_for_vendor_admins(login_as):
    for email in ["sales@gold.demo", "admin@gold.demo", "channel@vendor.demo"]:
        assert login_as(email).get("/announcements").status_code == 403
