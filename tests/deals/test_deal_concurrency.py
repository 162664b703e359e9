"""Two partners submitting the same customer at the same moment: exactly one is first."""
import threading

import sqlalchemy as sa

from deal_support import deal_input
from portal.core.auth import find_user
from portal.deals import services
from portal.deals.models import Deal
from portal.extensions import db

ROUNDS = 5
REPS = ("sales@gold.demo", "sales@silver.demo", "admin@distributor.demo")


def submit_at_once(app, products, company: str) -> list[Exception]:
    barrier = threading.Barrier(len(REPS))
    errors = []

    def register(email):
        try:
            data = deal_input(products, customer_company=company, customer_website=f"{company.lower()}.example",
                              contact_email=None, contact_phone=None)
            with app.app_context():
                barrier.wait(timeout=10)  # before any query: on SQLite the first one takes the write lock
                services.create_deal(find_user(email), data, submit_now=True)
                db.session.commit()
        except Exception as exc:  # reported to the test below
            errors.append(exc)

    threads = [threading.Thread(target=register, args=(email,)) for email in REPS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_simultaneous_submissions_have_exactly_one_first(app, products):
    for round_number in range(ROUNDS):
        company = f"Quokka{round_number}"
        assert submit_at_once(app, products, company) == []
        with app.app_context():
            deals = db.session.scalars(sa.select(Deal).where(Deal.customer_company == company)
                                       .order_by(Deal.submitted_at, Deal.id)).all()
            assert len(deals) == len(REPS)  # no lost write
            first, *later = deals
            assert first.conflict_level.value == "green"
            for deal in later:
                assert deal.conflict_level.value == "red"
                assert deal.conflict_deal_id == first.id  # the earliest registration holds
