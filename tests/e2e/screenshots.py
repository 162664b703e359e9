"""Screenshots of the main pages for human review (not a test; pytest does not collect it).

    python tests/e2e/screenshots.py /tmp/shots          # every view
    python tests/e2e/screenshots.py /tmp/shots deals    # only the deal and notification views

Builds the app on a throwaway SQLite database (migrated, demo data seeded), serves it on
a free port and saves one full-page PNG per view into the given folder.
"""
import os
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from e2e_support import launch_browser, serve, sign_in

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}


def build_app(data_dir: Path):
    os.environ.setdefault("PORTAL_SECRET_KEY", "screenshots-secret-key")
    os.environ["PORTAL_DATA_DIR"] = str(data_dir)
    from flask_migrate import upgrade

    from portal import create_app
    from portal.assets import indexing
    from portal.demo import seed_demo

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{data_dir / 'portal.db'}",
                      "DATA_DIR": str(data_dir)})
    with app.app_context():
        upgrade()
        seed_demo()
        indexing.rebuild()
        seed_screenshot_deals()
    return app


SHOT_HOLDER = "Bluefin Harbour Foods Ltd"  # held by the Silver partner; Gold registers it again


def seed_screenshot_deals() -> None:
    """Deals in every state the deal pages show, made through the services (whatever the
    demo seed has or lacks): an approved holder, a conflicting submission, a queue with one
    deal over the review SLA, a draft, a rejection, and an approval that ends soon."""
    from datetime import timedelta

    import sqlalchemy as sa

    from portal.core import clock
    from portal.core.auth import find_user
    from portal.core.models import Product
    from portal.deals import services
    from portal.deals.models import DealStage
    from portal.extensions import db

    products = db.session.scalars(sa.select(Product.id).order_by(Product.name)).all()
    gold, silver, channel = (find_user(e) for e in ("sales@gold.demo", "sales@silver.demo", "channel@vendor.demo"))
    today = clock.now().date()

    def register(user, company, domain, contact, country, product_ids, amount, submit=True, **extra):
        data = services.DealInput(
            customer_company=company, customer_website=domain, contact_name=contact,
            contact_email=f"{contact.split()[0].lower()}@{domain}" if domain else None,
            contact_phone=extra.pop("phone", None), country=country, product_ids=product_ids, amount=amount,
            currency=extra.pop("currency", "USD"), close_date=today + timedelta(days=extra.pop("close_in", 60)),
            stage=extra.pop("stage", DealStage.qualified), notes=extra.pop("notes", ""))
        deal = services.create_deal(user, data, submit)
        db.session.flush()
        return deal

    holder = register(silver, SHOT_HOLDER, "bluefinfoods.example", "Orla Byrne", "IE", products[:2], 85_000,
                      currency="EUR", stage=DealStage.proposal)
    services.approve(channel, holder)
    approved = register(gold, "Quokka Analytics GmbH", "quokka-analytics.example", "Quinn Quast", "DE",
                        products[1:3], 42_000, currency="EUR", stage=DealStage.proposal,
                        phone="+49 30 5550 1234",
                        notes="Needs backup for 40 sites.\nPilot in two regions first; budget signed off in Q1.")
    services.approve(channel, approved)
    ending = register(gold, "Tasman Rail Services", "tasmanrail.example", "Ngaio Reid", "NZ", products[:1], 18_500,
                      currency="AUD")
    services.approve(channel, ending)
    ending.protected_until = clock.now() + timedelta(days=9)
    rejected = register(gold, "Juniper Dental Group", "juniperdental.example", "Dana Moss", "US", products[3:4], 9_900)
    services.reject(channel, rejected, "The customer already buys through a house agreement.")
    register(gold, SHOT_HOLDER, "bluefinfoods.example", "Kieran Walsh", "IE", products[1:2], 60_000,
             currency="EUR", notes="Met them at the Dublin roadshow.")
    late = register(silver, "Pelican Freight & Co", "pelicanfreight.example", "Ana Ruiz", "ES", products[2:4], 230_000,
                    currency="EUR", stage=DealStage.negotiation)
    late.submitted_at = clock.now() - timedelta(days=3, hours=5)
    register(find_user("admin@distributor.demo"), "Orchid Biotech International Holdings", "orchidbio.example",
             "Lars Holm", "SE", products[:3], 1_250_000, currency="SEK")
    register(gold, "Wombat Energy", "wombat-energy.example", "Wes Bell", "AU", products[4:5], 12_000, submit=False,
             currency="AUD")
    services.add_house_account(find_user("admin@vendor.demo"), "Granite Peak Bank", "granitepeakbank.example")
    db.session.commit()


def take(browser, base_url: str, out: Path, only: str | None = None) -> list[Path]:
    saved = []

    def shot(page, name, full_page=True):
        page.wait_for_load_state("networkidle")
        # htmx requests made after the page loaded (lazy widgets, live checks), then transitions
        expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)
        page.wait_for_timeout(250)
        path = out / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        saved.append(path)

    def context(**options):
        options.setdefault("viewport", DESKTOP)
        return browser.new_context(base_url=base_url, **options)

    if only == "deals":
        take_deals(browser, base_url, shot, context)
        return saved

    with context() as ctx:
        page = ctx.new_page()
        page.goto("/login")
        shot(page, "01-login")
        sign_in(page, "sales@gold.demo")
        page.wait_for_url("**/rooms/sales")
        shot(page, "02-sales-room-desktop")

    with context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2) as ctx:
        page = ctx.new_page()
        page.goto("/login")
        shot(page, "03a-login-phone")
        sign_in(page, "sales@gold.demo")
        page.wait_for_url("**/rooms/sales")
        shot(page, "03-sales-room-phone")

    with context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2) as ctx:
        page = ctx.new_page()
        sign_in(page, "admin@gold.demo")
        page.wait_for_url("**/rooms/sales")
        page.goto("/team/")
        shot(page, "04a-team-phone")

    with context() as ctx:
        page = ctx.new_page()
        sign_in(page, "admin@gold.demo")
        page.wait_for_url("**/rooms/sales")
        page.goto("/team/")
        shot(page, "04-team")

    with context() as ctx:
        page = ctx.new_page()
        sign_in(page, "admin@vendor.demo")
        page.wait_for_url("**/partners/")
        shot(page, "05-partners")
        page.get_by_role("link", name="Summit Peak Systems").click()
        page.wait_for_url("**/partners/*")
        shot(page, "06-partner-detail")
        page.goto("/announcements")
        shot(page, "07-announcements")
        page.goto("/announcements/new")
        shot(page, "08-announcement-new")
        page.goto("/assets")
        shot(page, "12-library-vendor")
        page.goto("/assets/new")
        shot(page, "13-asset-new")
        page.goto("/assets/downloads?by=partner")
        shot(page, "14-download-stats")
        page.goto("/assets/1")
        shot(page, "15-asset-detail-vendor")

    with context() as ctx:
        page = ctx.new_page()
        sign_in(page, "marketing@gold.demo")
        page.wait_for_url("**/rooms/marketing")
        shot(page, "09-marketing-room")
        page.goto("/assets")
        shot(page, "10-library")
        page.get_by_role("searchbox", name="Search the library").press_sequentially("ransomwar", delay=30)
        page.wait_for_url("**/search?q=ransomwar")
        shot(page, "11-search")
        page.goto("/search?q=backup+pricng")
        shot(page, "11b-search-did-you-mean")
        page.goto("/assets/1")
        shot(page, "16-asset-detail")

    with context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2) as ctx:
        page = ctx.new_page()
        sign_in(page, "marketing@gold.demo")
        page.wait_for_url("**/rooms/marketing")
        page.goto("/assets")
        shot(page, "17-library-phone")
        page.goto("/search?q=backup")
        shot(page, "18-search-phone")
        page.goto("/assets/1")
        shot(page, "19-asset-detail-phone")

    take_deals(browser, base_url, shot, context)
    return saved


def take_deals(browser, base_url, shot, context) -> None:
    """Deal registration and notifications (data from seed_screenshot_deals)."""
    phone = dict(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)

    with context() as ctx:
        page = ctx.new_page()
        sign_in(page, "sales@gold.demo")
        page.wait_for_url("**/rooms/sales")
        page.locator("#room-deals .expiring").wait_for()
        shot(page, "20-sales-room-deals")
        page.goto("/deals/new")
        shot(page, "21-deal-form-empty")
        page.get_by_label("Customer company").press_sequentially(SHOT_HOLDER, delay=10)
        page.get_by_role("heading", name="Already protected").wait_for()
        page.get_by_label("Contact email").fill("not-an-email")
        page.get_by_label("Contact name").focus()  # leaving the field runs its inline check
        page.locator("#contact_email-error").wait_for()
        page.get_by_label("Contact name").fill("Kieran Walsh")
        page.get_by_label("Contact name").blur()
        shot(page, "22-deal-form-red-conflict")
        page.get_by_label("Acme Analytics").focus()
        page.keyboard.press("Tab")  # keyboard focus: the ring must show on the product tiles
        page.keyboard.press("Space")
        shot(page, "22b-deal-form-keyboard-focus", full_page=False)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Deals").focus()
        page.keyboard.press("Tab")  # ...and on the bell in the dark top bar
        shot(page, "22c-bell-keyboard-focus", full_page=False)
        page.goto("/deals")
        shot(page, "23-deals-list")
        page.get_by_role("link", name="Quokka Analytics GmbH").click()
        page.wait_for_url("**/deals/*")
        shot(page, "24-deal-detail-rep-approved")
        page.get_by_text("The customer decided…").click()
        shot(page, "24a-deal-detail-rep-outcome-open", full_page=False)
        page.goto("/deals")
        page.get_by_role("link", name="Wombat Energy").click()
        page.wait_for_url("**/deals/*")
        shot(page, "24b-deal-detail-rep-draft")
        page.goto("/deals")
        page.get_by_role("link", name="Juniper Dental Group").click()
        page.wait_for_url("**/deals/*")
        shot(page, "24c-deal-detail-rep-rejected")
        page.goto("/notifications")
        shot(page, "25-notifications")

    with context() as ctx:
        page = ctx.new_page()
        sign_in(page, "channel@vendor.demo")
        page.wait_for_url("**/partners/")
        page.goto("/deals/review")
        shot(page, "26-review-queue")
        page.get_by_role("link", name=SHOT_HOLDER).click()
        page.wait_for_url("**/deals/*")
        shot(page, "27-deal-detail-vendor-conflict")
        page.get_by_text("Approve despite the conflict…").click()
        shot(page, "27b-deal-detail-vendor-approve-open", full_page=False)
        page.get_by_role("link", name="Compare side by side").click()
        page.wait_for_url("**/conflict")
        shot(page, "28-deal-conflict-compare")
        page.goto("/deals")
        shot(page, "29-deals-list-vendor")

    with context() as ctx:
        page = ctx.new_page()
        sign_in(page, "admin@vendor.demo")
        page.wait_for_url("**/partners/")
        page.goto("/deals/house-accounts")
        shot(page, "29b-house-accounts")

    with context(**phone) as ctx:
        page = ctx.new_page()
        sign_in(page, "sales@gold.demo")
        page.wait_for_url("**/rooms/sales")
        page.goto("/deals/new")
        page.get_by_label("Customer company").press_sequentially(SHOT_HOLDER, delay=10)
        page.get_by_role("heading", name="Already protected").wait_for()
        # What the rep sees (a full-page capture would misplace the sticky conflict bar).
        shot(page, "30-deal-form-phone", full_page=False)
        page.get_by_text("Acme Backup").click()
        page.get_by_label("Estimated value").scroll_into_view_if_needed()
        shot(page, "30b-deal-form-phone-scrolled", full_page=False)
        page.get_by_role("button", name="Submit for review").scroll_into_view_if_needed()
        shot(page, "30c-deal-form-phone-end", full_page=False)
        page.goto("/deals")
        shot(page, "31-deals-list-phone")
        page.get_by_role("link", name="Quokka Analytics GmbH").click()
        page.wait_for_url("**/deals/*")
        shot(page, "32-deal-detail-phone")
        page.goto("/notifications")
        shot(page, "33-notifications-phone")

    with context(**phone) as ctx:
        page = ctx.new_page()
        sign_in(page, "channel@vendor.demo")
        page.wait_for_url("**/partners/")
        page.goto("/deals/review")
        shot(page, "34-review-queue-phone")
        page.get_by_role("link", name=SHOT_HOLDER).click()
        page.wait_for_url("**/deals/*")
        shot(page, "35-deal-detail-vendor-phone")


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "/tmp/shots")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="partnerhouse-shots-") as tmp:
        app = build_app(Path(tmp))
        with serve(app) as base_url, sync_playwright() as playwright:
            browser = launch_browser(playwright)
            try:
                saved = take(browser, base_url, out, argv[2] if len(argv) > 2 else None)
            finally:
                browser.close()
        from portal.extensions import db

        with app.app_context():
            db.engine.dispose()
    for path in saved:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
