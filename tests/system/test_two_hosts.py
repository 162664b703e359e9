"""Two web hosts, as behind a load balancer: two gunicorn processes with data folders of
their own, sharing one PostgreSQL database, one Redis and one S3 server (moto), with a
`cli.py worker` beside them. Whatever one host does, the other sees: an asset uploaded on A
is found and downloaded on B, a PDF asked for on A is rendered by the worker and downloaded
on B, periodic work started on both at once sends each reminder once, and a person
deactivated on A is signed out on B. Requests go to 127.0.0.1 on two ports, so one
`requests.Session` carries its cookie to both hosts, as a browser behind a load balancer does.
"""
import io
import os
import re
import secrets
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
import requests
import sqlalchemy as sa

from portal.demo import DEMO_PASSWORD
from s3_server import BUCKET
from tools.bench import ROOT, Server, start_server, stop_servers, wait_ready

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
DATABASE = "test_two_hosts"
REDIS_URL = "redis://127.0.0.1:6379/9"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
WAIT = 60  # seconds for the worker to do a job


@dataclass
class Cluster:
    a: str
    b: str
    env: dict[str, str]
    folder: Path

    def command(self, *args: str, host: str) -> subprocess.Popen:
        """`cli.py args` as on `host` (its data folder); its output goes to <host>-<command>.log."""
        with (self.folder / f"{host}-{args[0]}.log").open("w") as log:
            return subprocess.Popen([sys.executable, "cli.py", *args], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                    env=self.env | {"PORTAL_DATA_DIR": str(self.folder / host)})

    def output(self, command: str, host: str) -> str:
        return (self.folder / f"{host}-{command}.log").read_text()


def _services_or_skip() -> None:
    try:
        with sa.create_engine(f"{SERVER}/postgres", poolclass=sa.pool.NullPool).connect():
            pass
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except (sa.exc.OperationalError, redis.RedisError) as missing:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"the two-host test needs PostgreSQL and Redis on 127.0.0.1 ({missing})")


def _empty_database() -> str:
    server = sa.create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with server.connect() as conn:
        if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": DATABASE}):
            conn.exec_driver_sql(f"CREATE DATABASE {DATABASE}")
    url = f"{SERVER}/{DATABASE}"
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    return url


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, s3_endpoint):
    _services_or_skip()
    redis.Redis.from_url(REDIS_URL).flushdb()
    folder = tmp_path_factory.mktemp("two-hosts")
    env = {key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")} | {
        "PORTAL_ENV": "development",
        "PORTAL_SECRET_KEY": secrets.token_urlsafe(32),  # one key for every host
        "PORTAL_DATABASE_URL": _empty_database(),
        "PORTAL_STORAGE_URL": f"s3://{BUCKET}/{uuid.uuid4().hex}",
        "PORTAL_S3_ENDPOINT_URL": s3_endpoint,
        "PORTAL_REDIS_URL": REDIS_URL,
    }
    cluster = Cluster("", "", env, folder)
    for name in ("a", "b", "worker"):
        (folder / name).mkdir()
    assert cluster.command("seed-demo", host="a").wait(300) == 0, cluster.output("seed-demo", "a")
    servers: list[Server] = []
    worker = cluster.command("worker", host="worker")
    try:
        for name in ("a", "b"):
            servers.append(start_server(name, "portal:create_app()", env | {"PORTAL_DATA_DIR": str(folder / name)},
                                        folder))
        for server in servers:
            wait_ready(server, "/login")
        cluster.a, cluster.b = (f"http://127.0.0.1:{server.port}" for server in servers)
        yield cluster
    finally:
        worker.terminate()
        worker.wait(10)
        stop_servers(servers)


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return CSRF.search(page.text).group(1)


def _signed_in(host: str, email: str) -> requests.Session:
    session = requests.Session()
    response = session.post(f"{host}/login", data={"csrf_token": _csrf(session, f"{host}/login"), "email": email,
                                                   "password": DEMO_PASSWORD}, allow_redirects=False)
    assert response.status_code == 303, response.text[:300]
    return session


def _wait_for(check, what: str):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.5)
    pytest.fail(f"waited {WAIT} s for {what}")


def test_an_asset_uploaded_on_a_is_found_and_downloaded_on_b(cluster):
    vendor = _signed_in(cluster.a, "admin@vendor.demo")
    word, body_word = f"quokka{secrets.token_hex(3)}", f"wallaby{secrets.token_hex(3)}"
    content = f"Field notes on the {body_word} programme.\n".encode() * 2000
    form = {"csrf_token": _csrf(vendor, f"{cluster.a}/assets/new"), "title": f"The {word} notes",
            "summary": "Two hosts, one library", "asset_type": "datasheet", "product_id": "0", "tags": "",
            "language": "en", "publish_at": "2026-01-01T09:00", "expire_at": ""}
    created = vendor.post(f"{cluster.a}/assets/new", data=form, files={"file": ("notes.txt", io.BytesIO(content))},
                          allow_redirects=False)
    assert created.status_code == 303, created.text[:500]

    partner = _signed_in(cluster.b, "sales@gold.demo")

    def found():  # the worker reads the file's text, then the index has it
        return re.search(r'href="/assets/(\d+)"', partner.get(f"{cluster.b}/search", params={"q": body_word}).text)

    match = _wait_for(found, "the worker to read the asset's text and the search to find it")
    asset_url = f"{cluster.b}/assets/{match.group(1)}"
    download = partner.post(f"{asset_url}/download", data={"csrf_token": _csrf(partner, asset_url)})
    assert download.status_code == 200 and download.content == content


def test_a_pdf_asked_for_on_a_is_made_by_the_worker_and_downloaded_on_b(cluster):
    marketer = _signed_in(cluster.a, "marketing@gold.demo")
    template = f"{cluster.a}/co-brand/1"
    message = f"Made on host A by the worker, {secrets.token_hex(4)}."
    asked = marketer.post(f"{template}/pdf", data={"csrf_token": _csrf(marketer, template),
                                                   "custom_message": message, "offer": ""})
    assert asked.status_code == 200, asked.text[:500]
    job_path = re.search(r'href="(/co-brand/pdf-jobs/\d+)"', asked.text).group(1)

    def download_form():
        return re.search(r'action="(/co-brand/pdfs/\d+/download)"', marketer.get(f"{cluster.b}{job_path}").text)

    download_path = _wait_for(download_form, "the worker to make the PDF").group(1)
    pdf = marketer.post(f"{cluster.b}{download_path}", data={"csrf_token": _csrf(marketer, f"{cluster.b}{job_path}")})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_periodic_work_started_on_both_hosts_at_once_sends_each_reminder_once(cluster):
    engine = sa.create_engine(cluster.env["PORTAL_DATABASE_URL"], poolclass=sa.pool.NullPool)
    reminders = sa.text("SELECT subject FROM outbox_emails WHERE subject LIKE 'Deal protection ends in%' "
                        "OR subject LIKE 'Your certification expires in%' ORDER BY subject")
    with engine.begin() as conn:  # the demo's history sent its reminders: make them due again
        conn.execute(sa.text("UPDATE deals SET reminded_days = NULL"))
        conn.execute(sa.text("UPDATE training_certificates SET reminded_days = NULL"))
        conn.execute(sa.text("DELETE FROM outbox_emails"))
    schedulers = [cluster.command("scheduler", "--once", host=host) for host in "ab"]
    assert [scheduler.wait(WAIT) for scheduler in schedulers] == [0, 0]
    outputs = sorted(cluster.output("scheduler", host).strip().splitlines()[-1:] for host in "ab")
    assert outputs == [[], ["tick: enqueued."]], outputs

    def sent():
        with engine.connect() as conn:
            tick_done = conn.scalar(sa.text("SELECT count(*) FROM jobs WHERE kind = 'tick' AND status = 'done'"))
            return tick_done and conn.execute(reminders).scalars().all()

    subjects = _wait_for(sent, "the worker to run tick")
    assert subjects and len(subjects) == len(set(subjects)), subjects
    ticks = [cluster.command("tick", host=host) for host in "ab"]  # cron on both, too
    assert [tick.wait(WAIT) for tick in ticks] == [0, 0]
    with engine.connect() as conn:
        assert conn.execute(reminders).scalars().all() == subjects
    engine.dispose()


def test_a_person_deactivated_on_a_is_signed_out_on_b(cluster):
    leaver = _signed_in(cluster.b, "presales@gold.demo")
    assert leaver.get(f"{cluster.b}/rooms/presales", allow_redirects=False).status_code == 200
    engine = sa.create_engine(cluster.env["PORTAL_DATABASE_URL"], poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        user_id = conn.scalar(sa.text("SELECT id FROM users WHERE email = 'presales@gold.demo'"))
    engine.dispose()
    admin = _signed_in(cluster.a, "admin@gold.demo")
    deactivated = admin.post(f"{cluster.a}/team/{user_id}/deactivate",
                             data={"csrf_token": _csrf(admin, f"{cluster.a}/team/")}, allow_redirects=False)
    assert deactivated.status_code == 303
    after = leaver.get(f"{cluster.b}/rooms/presales", allow_redirects=False)
    assert after.status_code == 302 and "/login" in after.headers["Location"]
