import pytest

from factories import make_asset
from portal.assets import indexing
from portal.core.auth import find_user
from portal.core.models import Product
from portal.extensions import db


@pytest.fixture
def add_asset(app, demo):
    """Create and commit an asset as the vendor admin; returns its id."""

    def _add(**kw) -> int:
        with app.app_context():
            asset = make_asset(find_user("admin@vendor.demo"), **kw)
            db.session.commit()
            return asset.id

    return _add


@pytest.fixture
def product_id(app, demo):
    with app.app_context():
        product = Product(name="Test Widget")
        db.session.add(product)
        db.session.commit()
        return product.id


@pytest.fixture
def indexed(app, demo):
    """The search index, built from the database as `cli.py reindex` does."""
    with app.app_context():
        indexing.rebuild()
