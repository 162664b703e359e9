"""Registering a deal: the form, inline validation, the live conflict answer, drafts."""
import re

import pytest
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


def test_required_fields_are_marked(login_as):
    html = login_as("sales@gold.demo").get("/deals/new").get_data(as_text=True)
    marked = re.findall(r'<(?:label for="([a-z_]+)"|legend)>([^<]+) <span class="required-mark"', html)
    assert [label.strip() for _, label in marked] == [
        "Customer company", "Country", "Contact name", "Products", "Estimated value",
        "Expected close date"]
    assert re.search(r'<input[^>]*id="customer_company"[^>]*required', html)
    assert not re.search(r'<label for="notes">[^<]*<span class="required-mark"', html)


def test_errors_are_listed_in_the_banner_and_the_first_takes_focus(login_as, products):
    response = post(login_as("sales@gold.demo"), "/deals/new",
                    form_data([], contact_name="", close_date="", contact_email="nope"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    banner = re.search(r'<div class="alert alert-error" role="alert" id="deal-form-errors">(.*?)</div>', html, re.S)[1]
    assert "These 4 fields need your attention" in banner
    links = re.findall(r'<a href="#([a-z_0-9-]+)">([^<]+)</a>: ([^<]+)</li>', banner)
    assert links == [("contact_name", "Contact name", "This field is required."),
                     ("contact_email", "Contact email", "Invalid email address."),
                     ("product_ids-0", "Products", "Choose at least one product."),
                     ("close_date", "Expected close date", "Enter the expected close date.")]
    autofocused = re.findall(r'<input[^>]*autofocus[^>]*>', html)
    assert len(autofocused) == 1 and 'id="contact_name"' in autofocused[0]


def test_a_failing_product_choice_takes_focus_on_its_first_option(login_as):
    html = post(login_as("sales@gold.demo"), "/deals/new", form_data([])).get_data(as_text=True)
    autofocused = re.findall(r'<input[^>]*autofocus[^>]*>', html)
    assert len(autofocused) == 1 and 'id="product_ids-0"' in autofocused[0]
    assert "This field needs your attention" in html


def test_inline_validation_keeps_the_input_and_checks_dates_on_blur(login_as):
    """The answer is morphed into the field (the input stays), and a date is checked only
    once the rep leaves it: while the year is typed the browser reports 0002-06-30."""
    html = login_as("sales@gold.demo").get("/deals/new").get_data(as_text=True)
    close_date = re.search(r'<input[^>]*id="close_date"[^>]*>', html)[0]
    assert 'data-hx-trigger="blur"' in close_date and 'data-hx-swap="morph:outerHTML"' in close_date
    company = re.search(r'<input[^>]*id="customer_company"[^>]*>', html)[0]
    assert 'data-hx-trigger="change"' in company and 'data-hx-swap="morph:outerHTML"' in company
    assert 'data-hx-ext="morph"' in html and "js/idiomorph-ext-0.7.4.min.js" in html


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


@pytest.mark.parametrize("path", ["/deals/check", "/deals/validate/customer_company"])
def test_the_live_checks_without_htmx_answer_the_whole_form_as_typed(login_as, products, path):
    """Only htmx posts there; a plain post (a replayed request, a script) gets the page, not a 500."""
    response = post(login_as("sales@gold.demo"), path, form_data(products, customer_company="Northwind Traders",
                                                                 customer_website="northwind.example"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in html and 'value="Northwind Traders"' in html


def test_a_live_check_of_only_an_email_answers_without_a_company_field(login_as):
    """The check posts whatever the rep has typed; a post with no company field at all (the
    bench's probes, a script) is checked on the email alone, not a 500."""
    response = post(login_as("sales@gold.demo"), "/deals/check",
                    {"contact_email": "dana.whitfield@bluewater-logistics.example"}, htmx=True)
    assert response.status_code == 200 and "Already protected" in response.get_data(as_text=True)


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


def test_live_check_names_the_deal_when_the_reps_own_team_holds_it(app, login_as, register, decide, products):
    deal_id = register("sales@gold.demo")
    html = check(login_as("sales@gold.demo"), products)
    assert "conflict-red" in html and "A protected registration exists" not in html
    assert (f'Your team already registered this customer: <a href="/deals/{deal_id}">deal #{deal_id}</a>, '
            "waiting for review.") in html
    decide(services.approve, deal_id)
    until = deal(app, deal_id).protected_until.strftime("%d %b %Y")
    html = check(login_as("admin@gold.demo"), products)  # the partner admin sees every deal of the org
    assert f'<a href="/deals/{deal_id}">deal #{deal_id}</a>, protected until {until}.' in html
    # A teammate who may not open the deal is told whose it is, without a link.
    html = check(login_as("marketing@gold.demo"), products)
    assert f"deal #{deal_id} (Quinn" not in html and f'href="/deals/{deal_id}"' not in html
    owner = deal(app, deal_id).owner_id
    with app.app_context():
        from portal.core.models import User

        name = db.session.get(User, owner).name
    assert f"deal #{deal_id} ({name}), protected until {until}." in html


def test_another_partners_holding_is_never_named_as_a_deal(login_as, register, products):
    deal_id = register("sales@silver.demo")
    html = check(login_as("sales@gold.demo"), products)
    assert "A protected registration exists" in html and f"#{deal_id}" not in html and "Your team" not in html


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
    assert "conflict-red" in html and "This is a house account" in html
    assert "A protected registration exists" not in html and "Your team" not in html


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
