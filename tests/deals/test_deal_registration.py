"""Registering a deal: the form, inline validation, the live conflict answer, drafts."""
import sqlalchemy as sa

from deal_support import form_data
from helpers import post
from portal.deals import services
from portal.deals.models import Deal, DealStatus
from portal.extensions import db


def quokka() -> Deal | None:
    """The deal these tests register (the demo has deals of its own)."""
    return db.session.scalar(sa.select(Deal).where(Deal.customer_company == "Quokka Analytics GmbH"))


def deal(app, deal_id) -> Deal:
    with app.app_context():
        found = db.session.get(Deal, deal_id)
        db.session.expunge(found)
        return found


def test_the_form_renders_with_an_empty_conflict_check(login_as):
    html = login_as("sales@gold.demo").get("/deals/new").get_data(as_text=True)
    assert "Register a deal" in html and 'id="conflict"' in html and "Conflict check" in html


def test_vendor_staff_do_not_register_deals(login_as):
    assert login_as("channel@vendor.demo").get("/deals/new").status_code == 404


def test_submitting_lands_on_the_deal_page_with_its_status_and_timeline(app, login_as, products):
    client = login_as("sales@gold.demo")
    response = post(client, "/deals/new", form_data(products))
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Quokka Analytics GmbH" in html and "Submitted" in html
    assert "Submitted for review (No existing registration matches.)" in html
    with app.app_context():
        saved = quokka()
        assert saved.status is DealStatus.submitted and saved.conflict_level.value == "green"
        assert saved.key_domain == "quokka-analytics.example" and saved.key_company == "quokka analytics"


def test_save_as_draft_then_edit_and_submit(app, login_as, products):
    client = login_as("sales@gold.demo")
    location = post(client, "/deals/new", form_data(products, action="draft")).headers["Location"]
    assert "a draft protects nothing" in client.get(location).get_data(as_text=True)
    edited = post(client, f"{location}/edit", form_data(products, amount="99000", action="draft"))
    assert edited.status_code == 303
    assert post(client, f"{location}/submit").status_code == 303
    with app.app_context():
        saved = quokka()
        assert (saved.amount, saved.status) == (99000, DealStatus.submitted)
    assert client.get(f"{location}/edit").status_code == 404  # only drafts are edited


def test_deleting_a_draft(app, login_as, register):
    deal_id = register(submit=False)
    client = login_as("sales@gold.demo")
    assert "Delete draft" in client.get(f"/deals/{deal_id}").get_data(as_text=True)
    assert post(client, f"/deals/{deal_id}/delete").status_code == 303
    assert client.get(f"/deals/{deal_id}").status_code == 404
    submitted = register()
    assert post(client, f"/deals/{submitted}/delete").status_code == 404


def test_invalid_input_is_422_with_a_message_per_field_and_stores_nothing(app, login_as, products):
    client = login_as("sales@gold.demo")
    bad = form_data([], customer_company="", contact_email="not-an-email", customer_website="gmail.com",
                    close_date="2001-01-01", amount="0", contact_phone="12")
    response = post(client, "/deals/new", bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in ("This field is required.", "Invalid email address.", "not a free-mail domain",
                    "Choose at least one product.", "The expected close date has passed", "Enter a value from 1 to 1,000,000,000,000.",
                    "at least 7 digits"):
        assert message in html, message
    with app.app_context():
        assert quokka() is None


def test_inline_validation_answers_with_the_one_field(login_as, products):
    client = login_as("sales@gold.demo")
    response = post(client, "/deals/validate/contact_email", form_data(products, contact_email="nope"), htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="contact_email-field"' in html and "Invalid email address." in html and "<html" not in html
    fine = post(client, "/deals/validate/contact_email", form_data(products), htmx=True).get_data(as_text=True)
    assert "error" not in fine
    assert post(client, "/deals/validate/nonsense", form_data(products), htmx=True).status_code == 404


def check(client, products, **fields):
    response = post(client, "/deals/check", form_data(products, **fields), htmx=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_live_check_is_green_for_a_new_customer(login_as, products):
    html = check(login_as("sales@gold.demo"), products)
    assert "conflict-green" in html and "No conflict found" in html and "<html" not in html


def test_live_check_is_red_when_another_partner_holds_the_customer_and_never_names_it(login_as, register, products):
    register("sales@silver.demo", customer_company="Quokka Analytics Holding Ltd", contact_email="q@other.example",
             contact_phone=None)
    html = check(login_as("sales@gold.demo"), products)
    assert "conflict-red" in html and "Already protected" in html and "same domain" in html
    for secret in ("Harborline", "Holding", "q@other.example", "Sean"):
        assert secret not in html


def test_live_check_is_amber_for_a_similar_name_only(login_as, register, products):
    register("sales@silver.demo", customer_company="Quokka Analytic", customer_website="qa-other.example",
             contact_email=None, contact_phone=None)
    html = check(login_as("sales@gold.demo"), products)
    assert "conflict-amber" in html and "similar company name" in html


def test_the_same_customer_for_another_product_line_is_only_a_possible_match(login_as, register, products):
    register("sales@silver.demo", product_ids=[products[0]])
    html = check(login_as("sales@gold.demo"), [products[1]])
    assert "conflict-amber" in html


def test_a_house_account_conflicts_whatever_the_product(app, login_as, products):
    with app.app_context():
        from portal.core.auth import find_user

        services.add_house_account(find_user("admin@vendor.demo"), "Quokka Analytics", "quokka-analytics.example")
        db.session.commit()
    html = check(login_as("sales@gold.demo"), products)
    assert "conflict-red" in html and "house" not in html.lower()


def test_first_to_register_wins_and_the_later_one_is_flagged(app, register):
    first = register("sales@silver.demo")
    second = register("sales@gold.demo")
    with app.app_context():
        first_deal, second_deal = db.session.get(Deal, first), db.session.get(Deal, second)
        assert first_deal.conflict_level.value == "green"
        assert second_deal.conflict_level.value == "red" and second_deal.conflict_deal_id == first


def test_a_draft_claims_nothing(app, register):
    register("sales@silver.demo", submit=False)
    second = register("sales@gold.demo")
    assert deal(app, second).conflict_level.value == "green"


def test_a_criterion_matching_too_many_registrations_is_ignored(app, register, products):
    from portal.deals import matching

    for number in range(matching.TOO_MANY + 1):  # a big reseller's own domain on many customers
        register("sales@silver.demo", customer_company=f"Customer {number} of Wombat", contact_email=None,
                 contact_phone=None, customer_website="wombat-reseller.example")
    with app.app_context():
        probe = matching.Customer("Quokka Analytics", "wombat-reseller.example")
        assert services.check(probe, frozenset(products)).level is matching.Level.green
        one_more = matching.Customer("Customer 3 of Wombat", "wombat-reseller.example")
        assessment = services.check(one_more, frozenset(products))
        assert assessment.level is matching.Level.red and matching.Reason.SAME_DOMAIN not in assessment.reasons
