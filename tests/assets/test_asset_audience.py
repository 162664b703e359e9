"""For every demo partner user, what the library, search, room, detail and download show is
exactly what the audience rule allows: live assets whose audience includes the user."""
import re

import pytest
import sqlalchemy as sa

from helpers import htmx_get, post
from portal.assets.models import Asset
from portal.core import clock
from portal.core.access import may_see
from portal.core.auth import find_user
from portal.demo import USERS
from portal.extensions import db

PARTNER_EMAILS = [email for email, _name, _org, role, _persona in USERS if not role.is_vendor]
ASSET_LINK = re.compile(r'href="/assets/(\d+)"')


def allowed(app, email: str, persona=None) -> set[int]:
    """The rule, written plainly over every asset (not through the SQL the pages use)."""
    with app.app_context():
        user, now = find_user(email), clock.now()
        assets = db.session.scalars(sa.select(Asset)).all()
        return {a.id for a in assets if a.status(now) == "live" and may_see(user, a.audience, persona)}


def library_ids(client) -> set[int]:
    ids, page = set(), 1
    while True:
        html = htmx_get(client, f"/assets?page={page}").get_data(as_text=True)
        ids |= {int(i) for i in ASSET_LINK.findall(html)}
        if "Next →" not in html:
            return ids
        page += 1


def search_ids(client, text: str) -> set[int]:
    ids, page = set(), 1
    while True:
        html = client.get("/search", query_string={"q": text, "page": page}).get_data(as_text=True)
        results = html.split('class="card card-flush search-results"', 1)[-1]
        ids |= {int(i) for i in ASSET_LINK.findall(results)}
        if "Next →" not in results:
            return ids
        page += 1


@pytest.mark.parametrize("email", PARTNER_EMAILS)
def test_every_view_shows_exactly_what_the_rule_allows(app, login_as, indexed, email):
    client, vendor = login_as(email), login_as("channel@vendor.demo")
    expected = allowed(app, email)
    with app.app_context():
        every_asset = set(db.session.scalars(sa.select(Asset.id)))
    assert expected and expected != every_asset  # the demo has something to hide from everyone

    assert library_ids(client) == expected

    for text in ("partner", "pricing", "backup", "battlecard", "campaign", "cloud OR security"):
        everything = search_ids(vendor, text)
        assert search_ids(client, text) == everything & expected, text

    persona = next(persona for e, _n, _o, _r, persona in USERS if e == email)
    room = htmx_get(client, f"/rooms/{persona.value}/assets").get_data(as_text=True)
    assert {int(i) for i in ASSET_LINK.findall(room)} <= allowed(app, email, persona)

    for asset_id in sorted(every_asset):
        status = 200 if asset_id in expected else 404
        assert client.get(f"/assets/{asset_id}").status_code == status, asset_id
        if asset_id not in expected:
            assert post(client, f"/assets/{asset_id}/download").status_code == 404, asset_id


def test_the_named_demo_assets_reach_the_right_people(app, login_as):
    def sees(email: str, title: str) -> bool:
        with app.app_context():
            asset_id = db.session.scalar(sa.select(Asset.id).where(Asset.title == title))
        return login_as(email).get(f"/assets/{asset_id}").status_code == 200

    assert all(sees(e, "Product Overview Datasheet") for e in PARTNER_EMAILS)
    assert sees("sales@gold.demo", "Gold Partner Pricing Playbook")
    assert not sees("sales@silver.demo", "Gold Partner Pricing Playbook")
    assert sees("marketing@gold.demo", "Marketing Campaign Kit")
    assert not sees("sales@gold.demo", "Marketing Campaign Kit")
    assert sees("sales@silver.demo", "EMEA Competitive Battlecard")
    assert not sees("sales@gold.demo", "EMEA Competitive Battlecard")
