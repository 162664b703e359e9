"""Recruitment end to end: a company applies (typing as people do), confirms its email from
the outbox, the vendor approves it, the applicant accepts the invitation and signs in as the
new partner's admin; the checklist shows the agreement step, deal registration waits for
the agreement, and accepting it ticks the step and opens deals."""
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from e2e_support import sign_in
from portal.core.models import OutboxEmail
from portal.extensions import db

pytestmark = pytest.mark.e2e

EMAIL = "ingrid.berg@polarnet.example"


def _link_in_mail(app, subject: str) -> str:
    with app.app_context():
        body = db.session.scalars(sa.select(OutboxEmail.body).where(
            OutboxEmail.to == EMAIL, OutboxEmail.subject == subject).order_by(OutboxEmail.id.desc())).first()
    assert body, f"no email “{subject}” to {EMAIL}"
    return re.search(r"https?://\S+?(/\S+)", body).group(1)


def test_apply_confirm_approve_accept_the_agreement_and_register_deals(app, new_page):
    applicant = new_page()
    applicant.goto("/apply")
    applicant.get_by_label("Company").press_sequentially("Polarnet AS")
    applicant.keyboard.press("Tab")
    applicant.keyboard.type("polarnet.example")
    applicant.get_by_label("Country").select_option(label="Norway")
    applicant.get_by_label("Partner type").select_option(label="MSP")
    applicant.get_by_label("Your name").fill("Ingrid Berg")
    applicant.get_by_label("Work email").fill(EMAIL)
    applicant.get_by_label("Phone").fill("+47 22 33 44 55")
    applicant.get_by_label("Expected business in your first year").select_option(label="100,000 to 500,000")
    applicant.get_by_label("Acme Backup").check()
    applicant.get_by_label("Why partner with us?").fill("We manage backups for 80 companies in Tromsø.")
    applicant.get_by_role("button", name="Send my application").click()
    expect(applicant.get_by_role("heading", name="Check your email")).to_be_visible()

    applicant.goto(_link_in_mail(app, "Confirm your partner application"))
    applicant.get_by_role("button", name="Confirm my application").click()
    expect(applicant.get_by_role("heading", name="Thank you, Ingrid Berg")).to_be_visible()

    vendor = new_page()
    sign_in(vendor, "channel@vendor.demo")
    vendor.goto("/applications/")
    vendor.get_by_role("link", name="Polarnet AS").click()
    checks = vendor.locator(".readings")
    expect(checks).to_contain_text("The domain is new to the program")
    expect(checks).to_contain_text("Norway is in EMEA")
    vendor.get_by_role("button", name="Start the review").click()
    expect(vendor.locator("h1")).to_contain_text("in review")
    vendor.get_by_text("Approve…").click()
    vendor.get_by_role("button", name="Approve and invite Ingrid Berg").click()
    expect(vendor.locator("#flash")).to_contain_text("Polarnet AS is a partner now")

    applicant.goto(_link_in_mail(app, "You are invited to Partnerhouse"))
    applicant.get_by_label("New password").fill("northern-lights-2027")
    applicant.get_by_label("Repeat the password").fill("northern-lights-2027")
    applicant.get_by_role("button", name="Set password and sign in").click()
    expect(applicant.locator(".nav-user")).to_contain_text("Polarnet AS")

    applicant.goto("/onboarding/")
    agreement_step = applicant.locator(".onboarding-steps li").filter(has_text="Accept the partner agreement")
    expect(agreement_step).to_contain_text("to do")
    applicant.goto("/deals/new")
    expect(applicant.get_by_role("heading", name="Deal registration waits for the partner agreement")).to_be_visible()
    applicant.get_by_role("link", name="Read and accept the agreement").click()
    applicant.get_by_label("Your full name").fill("Ingrid Berg")
    applicant.get_by_label("I have read and accept this agreement on behalf of my organisation").check()
    applicant.get_by_role("button", name=re.compile("Accept version")).click()
    expect(applicant.get_by_role("heading", name="✓ Accepted")).to_be_visible()

    applicant.goto("/onboarding/")
    expect(agreement_step).to_contain_text("done")
    applicant.goto("/deals/new")
    expect(applicant.get_by_role("heading", name=re.compile("Register a deal"))).to_be_visible()
