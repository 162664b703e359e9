"""Screenshots of the main pages for human review (not a test; pytest does not collect it).

    python tests/e2e/screenshots.py /tmp/shots

Builds the app on a throwaway SQLite database (migrated, demo data seeded), serves it on
a free port and saves one full-page PNG per view into the given folder.
"""
import os
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from e2e_support import launch_browser, serve, sign_in

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


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
    return app


def take(browser, base_url: str, out: Path) -> list[Path]:
    saved = []

    def shot(page, name):
        page.wait_for_load_state("networkidle")
        path = out / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        saved.append(path)

    def context(**options):
        options.setdefault("viewport", DESKTOP)
        return browser.new_context(base_url=base_url, **options)

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
    return saved


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "/tmp/shots")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="partnerhouse-shots-") as tmp:
        app = build_app(Path(tmp))
        with serve(app) as base_url, sync_playwright() as playwright:
            browser = launch_browser(playwright)
            try:
                saved = take(browser, base_url, out)
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
