import pytest
import sqlalchemy as sa

from portal.core.auth import find_user
from portal.core.models import Product
from portal.deals import services
from deal_support import deal_input
from portal.extensions import db


@pytest.fixture
def products(app, demo) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Product.id).order_by(Product.id).limit(3)))


@pytest.fixture
def register(app, products):
    """Register (and by default submit) a deal as `email` through the services; returns its id."""

    def _register(email="sales@gold.demo", submit=True, **overrides) -> int:
        with app.app_context():
            product_ids = overrides.pop("product_ids", products)
            deal = services.create_deal(find_user(email), deal_input(product_ids, **overrides), submit)
            db.session.commit()
            return deal.id

    return _register


@pytest.fixture
def decide(app):
    """Run a vendor decision (services.approve / reject / ...) on a deal and commit."""

    def _decide(action, deal_id, *args, email="channel@vendor.demo"):
        with app.app_context():
            from portal.deals.models import Deal

            action(find_user(email), db.session.get(Deal, deal_id), *args)
            db.session.commit()

    return _decide
