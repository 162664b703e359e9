"""Several processes (as gunicorn workers would) change the same assets at once: no
LockError, no lost update, and afterwards the index says exactly what the database says."""
import multiprocessing

import sqlalchemy as sa

from portal import create_app
from portal.assets import indexing
from portal.assets.models import Asset
from portal.extensions import db
from search import SearchQuery

WORKERS, ROUNDS, ASSETS = 4, 5, 3
# One made-up word per (worker, round): in no demo text, and far apart in spelling (edit
# distance >= 3) so fuzzy matching never mixes them up.
MARKERS = ["zq" + word for word in "alfa bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike "
           "november oscar papa quebec romeo sierra tango".split()]


def marker(worker: int, round_no: int) -> str:
    return MARKERS[worker * ROUNDS + round_no]


def change_assets(url: str, data_dir: str, asset_ids: list[int], worker: int) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "DATA_DIR": data_dir})
    with app.app_context():
        for round_no in range(ROUNDS):
            for asset_id in asset_ids:
                asset = db.session.get(Asset, asset_id)
                asset.summary = marker(worker, round_no)
                db.session.commit()
        db.engine.dispose()


def test_concurrent_writers_leave_the_index_equal_to_the_database(app, add_asset, indexed):
    asset_ids = [add_asset(title=f"Shared Sheet {n}") for n in range(ASSETS)]
    url, data_dir = app.config["SQLALCHEMY_DATABASE_URI"], app.config["DATA_DIR"]
    with app.app_context():
        db.engine.dispose()

    spawn = multiprocessing.get_context("spawn")
    workers = [spawn.Process(target=change_assets, args=(url, data_dir, asset_ids, w)) for w in range(WORKERS)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(120)
    assert [process.exitcode for process in workers] == [0] * WORKERS

    with app.app_context():
        final = dict(db.session.execute(sa.select(Asset.id, Asset.summary)).all())
        index = indexing.search_index()
        assert index.search(SearchQuery("shared sheet", page_size=50)).total == ASSETS  # no duplicates
        for worker in range(WORKERS):
            for round_no in range(ROUNDS):
                word = marker(worker, round_no)
                found = {int(hit.id) for hit in index.search(SearchQuery(word, page_size=50)).hits}
                assert found == {asset_id for asset_id, summary in final.items() if summary == word}, word
