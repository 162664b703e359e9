"""A trainee finishes the "Sales Fundamentals" path: from the training card in her room to
the last lesson (marked complete without a reload), fails the quiz once, passes it on the
second attempt (each attempt is one form, graded on the server and swapped in by htmx),
downloads the certificate and sees it valid on the public verification page. After every
swap, focus is on the new region's heading or first error, never lost to <body>."""
import io
import re

import pypdf
import pytest
from playwright.sync_api import expect

from e2e_support import sign_in

pytestmark = pytest.mark.e2e

WRONG = ["Per named user, billed monthly", "Acme Payroll", "The security team", "30 days", "Free hardware"]
RIGHT = ["Per managed vCPU, billed annually", "Acme Backup", "Acme Secure Edge", "Acme Analytics",
         "The CIO or IT director", "90 days", "Multi-site policies", "24/7 support"]


def answer(quiz, labels):
    for label in labels:
        quiz.get_by_label(label, exact=True).check()
    quiz.get_by_role("button", name="Submit answers").click()


def test_trainee_completes_the_path_fails_once_passes_and_gets_a_verifiable_certificate(page, new_page):
    sign_in(page, "trainee@registered.demo")
    expect(page).to_have_url(re.compile(r"/rooms/sales$"))

    # The room's training card loads after the page: half-way through Sales Fundamentals.
    card = page.locator("#room-training")
    expect(card.get_by_role("heading", name="My training")).to_be_visible()
    expect(card).to_contain_text("50%")
    card.get_by_role("link", name="Sales Fundamentals").click()
    expect(page.get_by_role("heading", name="Sales Fundamentals", level=1)).to_be_visible()
    page.get_by_role("link", name="Continue: Licensing and pricing basics").click()
    expect(page.get_by_role("heading", name="Licensing and pricing basics", level=1)).to_be_visible()
    expect(page.locator(".lesson-body strong").first).to_have_text("per managed vCPU, billed annually")

    # Mark complete: the status block is swapped in place.
    page.evaluate("window.__notReloaded = true")
    page.get_by_role("button", name="Mark complete").click()
    expect(page.locator("#lesson-status")).to_contain_text("You completed this lesson")
    expect(page.get_by_text("You completed this lesson")).to_be_focused()
    assert page.evaluate("window.__notReloaded") is True

    # The quiz: start, answer everything wrong, and see the verdict without a reload.
    page.get_by_role("link", name="Next: the quiz →").click()
    expect(page.get_by_role("heading", name="Product Fundamentals quiz", level=1)).to_be_visible()
    page.evaluate("window.__notReloaded = true")
    page.get_by_role("button", name="Start the quiz").click()
    quiz = page.locator("#quiz")
    expect(quiz.get_by_role("button", name="Submit answers")).to_be_visible()
    expect(quiz.get_by_role("heading", name="Attempt 1 of 3")).to_be_focused()
    expect(quiz.locator("fieldset")).to_have_count(5)

    # Submitted with nothing answered: focus on the list of what is missing, which links to it.
    quiz.get_by_role("button", name="Submit answers").click()
    summary = quiz.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(page.locator("#announcer")).to_have_text("Some questions have no answer yet.")
    expect(quiz.locator("fieldset[aria-invalid=true]")).to_have_count(5)
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link", name="Question 1")).to_be_focused()

    answer(quiz, WRONG)
    expect(quiz.get_by_role("heading", name="Not passed this time")).to_be_focused()
    expect(page.locator("#announcer")).to_have_text("Graded: 0%, not passed.")
    expect(quiz.locator(".quiz-score")).to_have_text("0%")
    expect(quiz).to_contain_text("2 attempts left")
    expect(quiz).to_contain_text("Platform is licensed per managed vCPU")  # explanations, after grading
    expect(quiz.locator(".is-key")).to_have_count(0)  # the key waits until she passes

    # Second attempt: right.
    quiz.get_by_role("button", name="Try again").click()
    expect(quiz.get_by_role("heading", name="Attempt 2 of 3")).to_be_focused()
    answer(quiz, RIGHT)
    expect(quiz.get_by_role("heading", name="Passed")).to_be_focused()
    expect(page.locator("#announcer")).to_have_text("Graded: 100%, passed.")
    expect(quiz.locator(".quiz-score")).to_have_text("100%")
    expect(quiz).to_contain_text("You are certified: Sales Fundamentals")
    assert page.evaluate("window.__notReloaded") is True

    # The certificate PDF.
    with page.expect_download() as download_info:
        quiz.get_by_role("link", name="Download your certificate (PDF)").click()
    download = download_info.value
    assert re.fullmatch(r"certificate-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\.pdf", download.suggested_filename)
    code = download.suggested_filename.removeprefix("certificate-").removesuffix(".pdf")
    with open(download.path(), "rb") as handle:
        text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(handle.read())).pages)
    squeezed = re.sub(r"\s+", "", text)
    for expected in ("Toby Walsh", "Kestrel Referral Co", "Sales Fundamentals", code):
        assert re.sub(r"\s+", "", expected) in squeezed, expected

    # Anyone can check it, without signing in.
    visitor = new_page()
    visitor.goto(f"/verify/{code}")
    expect(visitor.get_by_role("heading", name="✓ Valid certificate", level=1)).to_be_visible()
    facts = visitor.locator(".facts")
    expect(facts).to_contain_text("Toby Walsh")
    expect(facts).to_contain_text("Kestrel Referral Co")
    expect(facts).to_contain_text("Sales Fundamentals")
    expect(visitor.get_by_role("link", name="Sign out")).to_have_count(0)

    # Her training page lists it.
    page.goto("/training")
    expect(page.locator("#certificates")).to_contain_text(code)
    expect(page.locator("#certificates .status")).to_have_text("Valid")
