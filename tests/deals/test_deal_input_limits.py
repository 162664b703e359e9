"""What the deal forms and the API refuse: amounts beyond what is stored, direction
controls in names, ids out of range, JSON nested too deep. Never a 500, on either database."""
import pytest
import sqlalchemy as sa

from deal_support import form_data
from helpers import post
from portal.deals.forms import MAX_AMOUNT
from portal.deals.models import Deal
from portal.extensions import db

NINES = "9" * 30


def stored_amounts(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Deal.amount).where(Deal.customer_company == "Quokka Analytics GmbH")))


@pytest.mark.parametrize("amount", [2**31, 2**39, MAX_AMOUNT])
def test_amounts_up_to_the_limit_are_stored_exactly(app, login_as, products, amount):
    response = post(login_as("sales@gold.demo"), "/deals/new", form_data(products, amount=str(amount)))
    assert response.status_code == 303
    assert stored_amounts(app) == [amount]


@pytest.mark.parametrize("amount", [str(MAX_AMOUNT + 1), str(2**63), NINES, "1e30"])
def test_amounts_beyond_the_limit_are_a_422_and_nothing_is_stored(app, login_as, products, amount):
    response = post(login_as("sales@gold.demo"), "/deals/new", form_data(products, amount=amount))
    assert response.status_code == 422
    assert stored_amounts(app) == []


def test_a_huge_deal_id_in_the_bulk_review_is_ignored(app, login_as, register):
    deal_id = register()
    vendor = login_as("channel@vendor.demo")
    response = post(vendor, "/deals/review", {"deal_id": [NINES, str(deal_id)], "decision": "approve"},
                    follow_redirects=True)
    assert response.status_code == 200 and "1 deal approved." in response.get_data(as_text=True)


@pytest.mark.parametrize("control", ["\u202e", "\u202a", "\u2066", "\u2069"])
def test_a_name_with_a_direction_control_is_refused_and_nothing_is_stored(app, login_as, products, control):
    rep = login_as("sales@gold.demo")
    response = post(rep, "/deals/new", form_data(products, customer_company=f"Acme{control}gnp.exe"))
    assert response.status_code == 400
    assert "invisible direction controls" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Deal)
                                 .where(Deal.customer_company.contains("gnp"))) == 0


def test_right_to_left_text_itself_is_welcome(app, login_as, products):
    rep = login_as("sales@gold.demo")
    assert post(rep, "/deals/new", form_data(products, customer_company="שלום Systems\u200f")).status_code == 303


