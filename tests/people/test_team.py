import sqlalchemy as sa

from helpers import post
from portal.core.auth import find_user
from portal.core.models import AuditEvent, Persona
from portal.extensions import db


def _user_id(app, email):
    with app.app_context():
        return find_user(email).id


def test_partner_admin_sees_only_their_own_team(login_as):
    html = login_as("admin@gold.demo").get("/team/").get_data(as_text=True)
    assert "sales@gold.demo" in html and "marketing@gold.demo" in html
    assert "silver.demo" not in html and "vendor.demo" not in html


def test_vendor_admin_manages_vendor_staff_only(login_as):
    html = login_as("admin@vendor.demo").get("/team/").get_data(as_text=True)
    assert "channel@vendor.demo" in html and "gold.demo" not in html


def test_team_page_is_for_admins(login_as):
    for email in ["sales@gold.demo", "channel@vendor.demo"]:
        assert login_as(email).get("/team/").status_code == 403


def test_deactivated_user_loses_access_on_the_next_request(app, login_as):
    leaver = login_as("sales@gold.demo")
    assert leaver.get("/rooms/sales").status_code == 200
    admin = login_as("admin@gold.demo")
    response = post(admin, f"/team/{_user_id(app, 'sales@gold.demo')}/deactivate", htmx=True)
    assert response.status_code == 200 and "deactivated and signed out" in response.get_data(as_text=True)
    assert leaver.get("/rooms/sales").status_code == 302
    assert post(app.test_client(), "/login", {"email": "sales@gold.demo", "password": "partnerhouse"}).status_code == 422
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.deactivated"))
        assert event.actor.email == "admin@gold.demo" and event.after == {"active": False}


def test_deactivation_also_kills_remember_me_cookies(app, login_as):
    leaver = app.test_client()
    post(leaver, "/login", {"email": "sales@gold.demo", "password": "partnerhouse", "remember": "y"})
    with leaver.session_transaction() as session:
        session.clear()  # the browser was closed; only the remember cookie is left
    assert leaver.get("/rooms/sales").status_code == 200
    post(login_as("admin@gold.demo"), f"/team/{_user_id(app, 'sales@gold.demo')}/deactivate")
    with leaver.session_transaction() as session:
        session.clear()
    assert leaver.get("/rooms/sales").status_code == 302


def test_reactivation_restores_access(app, login_as):
    admin = login_as("admin@gold.demo")
    user_id = _user_id(app, "sales@gold.demo")
    post(admin, f"/team/{user_id}/deactivate")
    assert post(admin, f"/team/{user_id}/reactivate").status_code == 303
    assert login_as("sales@gold.demo").get("/rooms/sales").status_code == 200


def test_admin_cannot_deactivate_themselves(app, login_as):
    admin = login_as("admin@gold.demo")
    response = post(admin, f"/team/{_user_id(app, 'admin@gold.demo')}/deactivate", htmx=True)
    assert "cannot deactivate yourself" in response.get_data(as_text=True)
    assert admin.get("/team/").status_code == 200


def test_change_persona_moves_the_user_to_another_room(app, login_as):
    admin = login_as("admin@gold.demo")
    user_id = _user_id(app, "sales@gold.demo")
    response = post(admin, f"/team/{user_id}/persona", {"persona": "post_sales"}, htmx=True)
    assert response.status_code == 200 and "Post-sales room" in response.get_data(as_text=True)
    with app.app_context():
        assert find_user("sales@gold.demo").persona is Persona.post_sales
    assert post(app.test_client(), "/login", {"email": "sales@gold.demo", "password": "partnerhouse"}) \
        .headers["Location"] == "/rooms/post_sales"


def test_invite_a_person_with_htmx(app, login_as):
    admin = login_as("admin@gold.demo")
    form = {"name": "Nina New", "email": "nina@gold.example", "persona": "presales", "role": "partner_user"}
    response = post(admin, "/team/", form, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="team"') and "nina@gold.example" in html
    assert 'id="add-person"' in html and 'hx-swap-oob="true"' in html  # a blank form comes back
    with app.app_context():
        nina = find_user("nina@gold.example")
        assert nina.org.name == "Summit Peak Systems" and nina.password_hash is None


def test_invite_errors_are_422_and_retarget_the_form(app, login_as):
    admin = login_as("admin@gold.demo")
    form = {"name": "Dup", "email": "sales@silver.demo", "persona": "sales", "role": "partner_user"}
    response = post(admin, "/team/", form, htmx=True)
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#add-person"
    assert "already has an account" in response.get_data(as_text=True)


def test_partner_admin_cannot_grant_vendor_roles(app, login_as):
    admin = login_as("admin@gold.demo")
    form = {"name": "Sneaky", "email": "sneaky@gold.example", "persona": "sales", "role": "admin"}
    assert post(admin, "/team/", form, htmx=True).status_code == 422
    with app.app_context():
        assert find_user("sneaky@gold.example") is None


def test_partner_admin_cannot_touch_another_orgs_people(app, login_as):
    admin = login_as("admin@silver.demo")
    user_id = _user_id(app, "sales@gold.demo")
    for action in ["deactivate", "reactivate", "invite", "persona"]:
        assert post(admin, f"/team/{user_id}/{action}", {"persona": "sales"}).status_code == 404
    with app.app_context():
        assert find_user("sales@gold.demo").active


def test_resend_invite_only_for_pending_people(app, login_as):
    admin = login_as("admin@gold.demo")
    post(admin, "/team/", {"name": "Ian Vite", "email": "ian@gold.example", "persona": "sales",
                           "role": "partner_user"})
    response = post(admin, f"/team/{_user_id(app, 'ian@gold.example')}/invite", htmx=True)
    assert "A new invitation is on its way" in response.get_data(as_text=True)
    response = post(admin, f"/team/{_user_id(app, 'sales@gold.demo')}/invite", htmx=True)
    assert "already set a password" in response.get_data(as_text=True)
