"""The portal on each search backend: which one it starts with, and the demo's search on it."""
import html
import re

import pytest

from portal import create_app
from portal.assets import indexing
from portal.config import SettingsError
from search import PostgresIndex, WhooshIndex


def hit_titles(page: str) -> list[str]:
    titles = re.findall(r'<h3><a href="/assets/\d+">(.*?)</a></h3>', page)
    return [html.unescape(re.sub(r"</?mark>", "", title)) for title in titles]


def search(client, query: str) -> list[str]:
    return hit_titles(client.get("/search", query_string={"q": query}).get_data(as_text=True))


def test_the_default_backend_follows_the_database(app):
    on_postgres = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    with app.app_context():
        index = indexing.search_index()
    assert (app.config["SEARCH_BACKEND"], type(index)) == (
        ("postgres", PostgresIndex) if on_postgres else ("whoosh", WhooshIndex)
    )


@pytest.mark.parametrize(("backend", "message"), [
    ("postgres", "PORTAL_SEARCH_BACKEND is postgres, which needs a PostgreSQL database, and the database is sqlite"),
    ("elastic", "PORTAL_SEARCH_BACKEND is 'elastic'; it must be whoosh or postgres"),
])
def test_a_backend_the_database_cannot_serve_stops_the_start(tmp_path, backend, message):
    with pytest.raises(SettingsError, match=re.escape(message)):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'portal.db'}", "DATA_DIR": str(tmp_path),
                    "SEARCH_BACKEND": backend})


def test_the_demo_finds_french_and_spanish_assets_by_words_of_their_language(portal_backend, app, login_as):
    with app.app_context():
        indexing.rebuild()  # as `cli.py reindex` does: the demo was seeded under the database's default backend
    client = login_as("sales@gold.demo")
    assert "Acme Backup — présentation client" in search(client, "sauvegardes")
    assert "Acme Cloud Platform — brochure" in search(client, "francophone")
    assert "Caso de éxito: Cooperativa Valle Verde" in search(client, "cosechas agrícolas")
