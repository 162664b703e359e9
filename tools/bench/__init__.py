"""Benchmark: the sales room, search, deal registration and co-branded PDFs under gunicorn
against a bare Flask + Jinja page.

`python cli.py bench` seeds a throwaway database (generated partners, assets and deals),
times a full search reindex, starts both apps under gunicorn on loopback ports, signs in
over HTTP (a partner sales rep and a channel manager), loads every target in interleaved
rounds and reports requests/s, latency, the portal pages' ratios to the bare page and the
SQL statements one room render runs. Each concurrency mode (`--concurrency 4,16`) loads every
target again and reports its own medians, p50/p95/p99, failed answers and ratios to the bare
page measured in the same mode. Co-branding: first renders of the demo flyer (each a
new message, one at a time), the same PDF again from the cache, its download, and the peak
memory of the PDF worker processes.
"""
import http.client
import json
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path

import click
import jinja2
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import event, func, select

from portal import create_app, demo
from portal.assets import indexing
from portal.cobrand.models import CobrandTemplate
from portal.core import clock
from portal.core.models import Product
from portal.deals.matching import normalize_domain
from portal.deals.models import Deal, DealStage
from portal.deals.services import CLAIMING_STATUSES
from portal.demo.cobrand import TEMPLATES
from portal.demo.deals import CONFLICT_CUSTOMER, HOUSE_ACCOUNT
from portal.demo.generated import (
    COMMON_TOKENS, COUNTRIES, NOTES, NOUNS, random_amount, random_customer, seed_generated_assets,
    seed_generated_certificates, seed_generated_deals, seed_generated_partners,
)
from portal.extensions import db
from portal.program import tiering

ROOT = Path(__file__).resolve().parents[2]  # the checkout: gunicorn imports portal from here
HOST = "127.0.0.1"
ROOM_PATH = "/rooms/sales"
LOGIN_EMAIL = "sales@gold.demo"  # the partner sales rep: room, search, conflict check, register
REVIEWER_EMAIL = "channel@vendor.demo"  # the channel manager: the review queue
PROGRAM_EMAIL, PROGRAM_PATH = "admin@gold.demo", "/program/"  # a partner admin's standing in the program
CHECK_PATH, REGISTER_PATH, REVIEW_PATH = "/deals/check", "/deals/new", "/deals/review"
GUNICORN_SETTINGS = ["--workers", "2", "--worker-class", "sync", "--log-level", "warning", "--graceful-timeout", "5"]
REQUEST_TIMEOUT = 10.0  # seconds, per request
PHASE_TIMEOUT = 60.0  # seconds, per warm-up or round of one target
# (target ratio, stretch ratio) to the bare page, per portal page
RATIO_GOALS = {"room": (0.35, 0.5), "search": (0.15, 0.25), "review": None}  # the issue sets no review target
# target: (what the report calls it, p95 goal in ms or None, p99 goal in ms or None): what a user
# waits for while typing or saving
LATENCY_GOALS_MS = {"search": ("search", 30.0, 60.0), "conflict": ("conflict check", 20.0, None),
                    "register": ("register (save a draft)", None, None), "program": ("program page", 50.0, None)}
COBRAND_EMAIL = "marketing@gold.demo"  # the partner marketer: co-branded PDFs
FLYER = TEMPLATES[0][0]  # the two-page demo flyer
FIRST_RENDERS = 24  # cache misses, measured one at a time: what one marketer waits for
FIRST_RENDER_GOAL_S = 0.5  # p50
CACHED_GOAL_MS = 20.0  # p50, the same PDF again and its download
REINDEX_GOAL_S = 60.0
DEALS_SEED_GOAL_S = 60.0
EVALUATION_GOAL_S = 10.0  # every partner against every tier, as `cli.py tick` does once a day
REGISTRATIONS = 32  # distinct customers the register target cycles through
CUSTOMER_FIELDS = ("customer_company", "customer_website", "contact_email", "contact_phone")
# What partners type: single words, two words, a phrase, a word being typed, a misspelling.
SEARCH_QUERIES = ["backup", "ransomware", "pricing", "kubernetes migration", "zero trust", '"total cost"',
                  "datash", "batt", "retention policy", "egress", "complaince", "deploymnt", "healthcare",
                  "partner discount", "identity", "edge security"]
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')

# --- the bare baseline app ---------------------------------------------------------------

BARE_TEMPLATE = jinja2.Environment(autoescape=True).from_string(
    "<!doctype html><html><head><title>{{ title }}</title></head><body><h1>{{ title }}</h1>"
    "<ul>{% for item in items %}<li>{{ item }}</li>{% endfor %}</ul></body></html>"
)
BARE_ITEMS = [f"Item {n}" for n in range(50)]


def bare_app() -> Flask:
    """The baseline: a bare Flask app rendering a precompiled template with 50 items."""
    app = Flask(__name__)

    @app.get("/")
    def index():
        return BARE_TEMPLATE.render(title="Bare baseline", items=BARE_ITEMS)

    return app


# --- data and servers --------------------------------------------------------------------


@dataclass(frozen=True)
class Backends:
    """Where the bench keeps its data: a throwaway SQLite file under the data dir unless a
    PostgreSQL URL is given (its public schema is replaced), and the search backend ("": the
    database's default)."""
    database_url: str = ""
    search: str = ""

    def config(self, data_dir: Path) -> dict:
        return {"SQLALCHEMY_DATABASE_URI": self.database_url or f"sqlite:///{data_dir / 'portal.db'}",
                "DATA_DIR": str(data_dir), "SEARCH_BACKEND": self.search}


def build_data(data_dir: Path, partners: int, assets: int, deals: int,
               backends: Backends) -> tuple[Flask, dict[str, float]]:
    """Migrate and seed a database (see Backends), then build the search index from it.
    Returns an app bound to it and the seconds that seeding the deals and the reindex took."""
    app = create_app(backends.config(data_dir))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade()
        demo.seed_demo()
        if partners:
            seed_generated_partners(partners)
        if assets:
            seed_generated_assets(assets)
        seconds = {"deals": timed(seed_generated_deals, deals) if deals else 0.0, "reindex": timed(indexing.rebuild)}
        seed_generated_certificates()
        seconds["evaluation"] = timed(tiering.evaluate)
        db.session.commit()
        db.engine.dispose()
    return app, seconds


def timed(function, *args) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def deal_forms(app: Flask) -> tuple[list[dict], list[dict]]:
    """What reps type into the registration form: 16 conflict-check probes and
    REGISTRATIONS complete forms for new customers."""
    rng = random.Random(REGISTRATIONS)
    with app.app_context():
        product_ids = db.session.scalars(select(Product.id).order_by(Product.id)).all()
        stride = max(1, db.session.scalar(select(func.count(Deal.id))) // 200)
        sample = select(Deal.customer_company, Deal.customer_website, Deal.contact_email, Deal.contact_phone,
                        Deal.status).where(Deal.id % stride == 0)
        existing = db.session.execute(sample).mappings().all()
        db.engine.dispose()
    known = rng.sample(existing, 8) if len(existing) >= 8 else [existing[i % len(existing)] for i in range(8)]
    claimed = next((row for row in known if row["status"] in CLAIMING_STATUSES), known[0])
    new = [random_customer(rng) for _ in range(4)]
    probes = [
        *(only(row, "customer_company") for row in known[:3]),  # a known name: the first field filled in
        *(only(row, *CUSTOMER_FIELDS) for row in known[3:5]),  # a known customer, every field filled in
        {"customer_website": normalize_domain(known[5]["customer_website"] or known[5]["contact_email"]) or ""},
        only(known[6], "contact_email"),
        only(new[0], "customer_company") | only(known[7], "contact_phone"),  # a new name, a known phone
        {"customer_company": misspelt(claimed["customer_company"])},  # a near miss: a similar name
        *(only(customer, *CUSTOMER_FIELDS) for customer in new[1:]),  # new customers
        {"customer_company": f"{COMMON_TOKENS[0]} {NOUNS[0]}"},  # very common words: too many rows to compare
        {"customer_company": f"{COMMON_TOKENS[1]} National"},
        {"customer_company": CONFLICT_CUSTOMER},  # held by the Gold demo partner
        {"customer_company": HOUSE_ACCOUNT[0], "customer_website": HOUSE_ACCOUNT[1]},  # the vendor's own customer
    ]
    for number, probe in enumerate(probes):  # half of them with a product ticked already
        probe["product_ids"] = [str(product_ids[number % len(product_ids)])] if number % 2 else []
    return probes, [random_registration(rng, product_ids) for _ in range(REGISTRATIONS)]


def random_registration(rng: random.Random, product_ids: list[int]) -> dict:
    """The registration form filled in for a made-up customer, as a browser posts it."""
    customer = random_customer(rng)
    return {key: value or "" for key, value in customer.items()} | {
        "product_ids": [str(p) for p in rng.sample(product_ids, min(len(product_ids), rng.randint(1, 2)))],
        "amount": str(random_amount(rng, customer["country"])), "currency": COUNTRIES[customer["country"]][1],
        "close_date": (clock.now().date() + timedelta(days=rng.randint(30, 200))).isoformat(),
        "stage": rng.choice([DealStage.qualified, DealStage.proposal]).value, "notes": rng.choice(NOTES),
    }


def only(fields, *names: str) -> dict:
    """The named form fields of a customer, empty for None."""
    return {name: fields[name] or "" for name in names}


def misspelt(name: str) -> str:
    """The name with the second letter of its second word (or of its only word) dropped."""
    words = name.split()
    typo = 1 if len(words) > 1 else 0
    words[typo] = words[typo][:1] + words[typo][2:]
    return " ".join(words)


def server_env(data_dir: Path, app: Flask) -> dict[str, str]:
    """Environment for the gunicorn children: the bench's data dir, database and search
    backend (as `app` has them), cookies over http."""
    env = {key: value for key, value in os.environ.items() if key != "PORTAL_DATABASE_URL"}
    env.update(PORTAL_DATA_DIR=str(data_dir), PORTAL_SECRET_KEY=secrets.token_urlsafe(32),
               PORTAL_ENV="development", PORTAL_SEARCH_BACKEND=app.config["SEARCH_BACKEND"])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        env["PORTAL_DATABASE_URL"] = app.config["SQLALCHEMY_DATABASE_URI"]
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log: Path


def start_server(name: str, app_spec: str, env: dict[str, str], log_dir: Path) -> Server:
    """Start gunicorn for app_spec on a free loopback port, logging to log_dir/<name>.log."""
    port = free_port()
    log = log_dir / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"{HOST}:{port}", *GUNICORN_SETTINGS, app_spec],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    return Server(name, port, process, log)


def stop_servers(servers: list[Server], timeout: float = 10.0) -> None:
    """SIGTERM every server at once, then SIGKILL the process group of any still running."""
    for server in servers:
        if server.process.poll() is None:
            server.process.terminate()
    deadline = time.monotonic() + timeout
    for server in servers:
        try:
            server.process.wait(max(deadline - time.monotonic(), 0))
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait()


def wait_ready(server: Server, path: str, timeout: float = 30.0) -> None:
    """Poll until the server answers path with 200; fail with its log if it does not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            if fetch(server.port, "GET", path)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    tail = server.log.read_text(errors="replace")[-2000:]
    raise click.ClickException(f"{server.name} did not start on port {server.port}:\n{tail}")


# --- HTTP --------------------------------------------------------------------------------


def fetch(port: int, method: str, path: str, headers: dict | None = None, body: str | None = None):
    """One request to 127.0.0.1 on a new connection: (status, headers, body)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def session_cookie(headers) -> str | None:
    for value in headers.get_all("Set-Cookie") or []:
        cookie = SimpleCookie(value)
        if "session" in cookie:
            return f"session={cookie['session'].value}"
    return None


def csrf_from(html: str, page: str = "/password/forgot") -> str:
    match = CSRF_RE.search(html)
    if match is None:
        raise click.ClickException(f"no csrf_token in {page}")
    return match.group(1) or match.group(2)


def login(port: int, email: str, landing: str) -> str:
    """Sign in over HTTP and check that `landing` then answers 200; returns the Cookie
    header value for the signed-in session."""
    _, headers, body = fetch(port, "GET", "/password/forgot")
    cookie = session_cookie(headers)
    form = urllib.parse.urlencode({"csrf_token": csrf_from(body.decode()), "email": email,
                                   "password": demo.DEMO_PASSWORD})
    status, headers, _ = fetch(port, "POST", "/login", body=form, headers={
        "Cookie": cookie or "", "Content-Type": "application/x-www-form-urlencoded"})
    cookie = session_cookie(headers)
    if status != 303 or cookie is None:
        raise click.ClickException(f"login as {email} failed: HTTP {status}")
    status, _, _ = fetch(port, "GET", landing, headers={"Cookie": cookie})
    if status != 200:
        raise click.ClickException(f"GET {landing} after login as {email} gave HTTP {status}, not 200")
    return cookie


def csrf_session(port: int, cookie: str) -> tuple[str, str]:
    """The signed-in session's CSRF token, read from the registration form, and the session
    cookie that holds it (the session gets its token when a page first renders one)."""
    status, headers, body = fetch(port, "GET", REGISTER_PATH, headers={"Cookie": cookie})
    if status != 200:
        raise click.ClickException(f"GET {REGISTER_PATH} gave HTTP {status}, not 200")
    return session_cookie(headers) or cookie, csrf_from(body.decode(), REGISTER_PATH)


# --- load --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: str | None = None
    headers: dict = field(default_factory=dict)


def gets(paths: list[str], headers: dict | None = None) -> list[Request]:
    return [Request("GET", path, headers=headers or {}) for path in paths]


def form_posts(path: str, forms: list[dict], headers: dict) -> list[Request]:
    headers = headers | {"Content-Type": "application/x-www-form-urlencoded"}
    return [Request("POST", path, urllib.parse.urlencode(form, doseq=True), headers) for form in forms]


@dataclass
class Target:
    name: str
    port: int
    requests: list[Request]  # the load cycles through these
    expect: int = 200  # the status of a successful request

    @property
    def label(self) -> str:
        first = self.requests[0]
        label = first.path if first.method == "GET" else f"{first.method} {first.path}"
        return label if len(self.requests) == 1 else f"{label} (+{len(self.requests) - 1} more)"


@dataclass
class Round:
    seconds: float
    latencies: list[float]  # seconds, successful requests only
    errors: int  # answers other than the expected status, and requests that got no answer
    timed_out: bool
    loader_cpu: float  # CPU seconds the load generator itself used (it shares the cores with gunicorn)

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds


def load(target: Target, count: int, concurrency: int) -> Round:
    """`count` requests from `concurrency` threads, one connection each; stops at PHASE_TIMEOUT.
    The threads run in this process, on the same cores as gunicorn: the CPU they use is
    measured, so the report can say how much of the machine the load itself took."""
    tickets = iter(range(count))
    lock = threading.Lock()
    latencies, failures = [], []
    deadline = time.monotonic() + PHASE_TIMEOUT

    def client():
        while time.monotonic() < deadline:
            with lock:
                ticket = next(tickets, None)
            if ticket is None:
                return
            request = target.requests[ticket % len(target.requests)]
            started = time.perf_counter()
            try:
                status = fetch(target.port, request.method, request.path, request.headers, request.body)[0]
                ok = status == target.expect
            except OSError:
                ok = False
            (latencies if ok else failures).append(time.perf_counter() - started)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    cpu_started, started = time.process_time(), time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return Round(seconds, latencies, len(failures), timed_out=len(latencies) + len(failures) < count,
                 loader_cpu=cpu)


def measure(targets: list[Target], requests: int, rounds: int, concurrency: int) -> dict[str, list[Round]]:
    """Warm up every target, then load them in rounds, alternating which goes first."""
    for target in targets:
        load(target, max(50, requests // 5), concurrency)
    results = {target.name: [] for target in targets}
    for number in range(rounds):
        for target in targets if number % 2 == 0 else reversed(targets):
            results[target.name].append(load(target, requests, concurrency))
    return results


def percentile(ordered: list[float], fraction: float) -> float:
    return ordered[int(fraction * (len(ordered) - 1))]


def summarise(target: Target, rounds: list[Round]) -> dict:
    """Median req/s over rounds; p50/p95/p99 over every request of every round, in ms; the
    load generator's CPU use as a share of one core over the wall time."""
    latencies = sorted(seconds * 1000 for r in rounds for seconds in r.latencies)
    if not latencies:
        raise click.ClickException(f"{target.name} {target.label}: no request succeeded")
    return {
        "path": target.label,
        "rps": statistics.median(r.rps for r in rounds),
        "rps_rounds": [round(r.rps, 1) for r in rounds],
        "p50_ms": statistics.median(latencies),
        "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99),
        "loader_cpu_share": sum(r.loader_cpu for r in rounds) / sum(r.seconds for r in rounds),
        "requests": sum(len(r.latencies) for r in rounds),
        "errors": sum(r.errors for r in rounds),
        "timed_out_rounds": sum(r.timed_out for r in rounds),
    }


# --- SQL per render ----------------------------------------------------------------------


def sql_count(app: Flask) -> list[str]:
    """The SQL statements one signed-in GET of the sales room runs (after a warm-up)."""
    client = app.test_client()
    token = csrf_from(client.get("/password/forgot").get_data(as_text=True))
    response = client.post("/login", data={"csrf_token": token, "email": LOGIN_EMAIL,
                                           "password": demo.DEMO_PASSWORD})
    if response.status_code != 303:
        raise click.ClickException(f"in-process login failed: HTTP {response.status_code}")
    client.get(ROOM_PATH)
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(" ".join(statement.split()))

    with app.app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            status = client.get(ROOM_PATH).status_code
        finally:
            event.remove(engine, "before_cursor_execute", record)
        engine.dispose()
    if status != 200:
        raise click.ClickException(f"in-process GET {ROOM_PATH} gave HTTP {status}")
    return statements


# --- report ------------------------------------------------------------------------------


def short(statement: str, width: int = 110) -> str:
    return statement if len(statement) <= width else statement[: width - 1] + "…"


def report(summary: dict, verbose: bool) -> None:
    s = summary["settings"]
    click.echo(f"\nPartnerhouse bench: {s['partners']} generated partners, {s['assets']} generated assets, "
               f"{s['deals']} generated deals, {s['requests']} requests × {s['rounds']} rounds per target, "
               f"concurrency {', '.join(map(str, s['concurrency']))}, gunicorn 2 sync workers, "
               f"{s['database']} database, {s['search_backend']} search")
    for concurrency, mode in summary["modes"].items():
        report_mode(concurrency, mode)
    reindex, seeding = summary["reindex_seconds"], summary["deals_seed_seconds"]
    click.echo(f"\nfull reindex of {s['assets']} generated + the demo assets: {reindex:.1f} s "
               f"(target ≤ {REINDEX_GOAL_S:.0f} s: {'met' if reindex <= REINDEX_GOAL_S else 'missed'})")
    click.echo(f"seeding {s['deals']} generated deals: {seeding:.1f} s "
               f"(target ≤ {DEALS_SEED_GOAL_S:.0f} s: {'met' if seeding <= DEALS_SEED_GOAL_S else 'missed'})")
    evaluation = summary["evaluation_seconds"]
    click.echo(f"tier evaluation of every partner ({s['partners']} generated + the demo's) over {s['deals']} deals: "
               f"{evaluation:.1f} s (target ≤ {EVALUATION_GOAL_S:.0f} s at 2,000 partners and 100,000 deals: "
               f"{'met' if evaluation <= EVALUATION_GOAL_S else 'missed'})")
    report_cobrand(summary["cobrand"], summary["cobrand_concurrency"], summary["pdf_worker_peak_mb"])
    statements = summary["sql"]
    click.echo(f"SQL statements per GET {ROOM_PATH}: {len(statements)}")
    if verbose:
        for number, statement in enumerate(statements, 1):
            click.echo(f"  {number:>2}. {short(statement)}")


def report_mode(concurrency: str, mode: dict) -> None:
    """One concurrency mode: its table, its ratios to the bare page of the same mode, its latency goals."""
    click.echo(f"\n{concurrency} concurrent connections")
    click.echo(f"{'target':<44}{'req/s (median)':>15}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'failed':>8}"
               f"{'loader CPU':>11}   req/s per round")
    for name, row in mode["targets"].items():
        flag = f"  ({row['timed_out_rounds']} round(s) hit the {PHASE_TIMEOUT:.0f}s limit)" if row["timed_out_rounds"] else ""
        click.echo(f"{name + ' ' + row['path']:<44}{row['rps']:>15.1f}{row['p50_ms']:>9.1f}{row['p95_ms']:>9.1f}"
                   f"{row['p99_ms']:>9.1f}{row['errors']:>8}{row['loader_cpu_share']:>10.0%} "
                   f"  {' / '.join(map(str, row['rps_rounds']))}{flag}")
    for name, ratio in mode["ratios"].items():
        if RATIO_GOALS[name] is None:
            click.echo(f"ratio {name}/bare: {ratio:.2f}×")
            continue
        target, stretch = RATIO_GOALS[name]
        verdict = "stretch met" if ratio >= stretch else "target met" if ratio >= target else "below target"
        click.echo(f"ratio {name}/bare: {ratio:.2f}×  (target ≥ {target}×, stretch {stretch}×: {verdict})")
    for name, (label, p95_goal, p99_goal) in LATENCY_GOALS_MS.items():
        row = mode["targets"][name]
        goals = [f"p{p} ≤ {goal:.0f} ms: {'met' if row[f'p{p}_ms'] <= goal else 'missed'}"
                 for p, goal in (("95", p95_goal), ("99", p99_goal)) if goal]
        verdict = f" (target {', '.join(goals)})" if goals else ""
        click.echo(f"{label}: p50 {row['p50_ms']:.1f} ms, p95 {row['p95_ms']:.1f} ms, p99 {row['p99_ms']:.1f} ms{verdict}")
    failed = sum(row["errors"] for row in mode["targets"].values())
    click.echo(f"failed answers (not the expected status, or none): {failed}")


def report_cobrand(rows: dict, concurrency: int, peak: float | None) -> None:
    first, cached, download = (rows[name] for name in ("pdf_first", "pdf_cached", "pdf_download"))
    verdict = "met" if first["p50_ms"] <= FIRST_RENDER_GOAL_S * 1000 else "missed"
    click.echo(f"co-branded flyer, first render: p50 {first['p50_ms'] / 1000:.2f} s, p95 {first['p95_ms'] / 1000:.2f} s "
               f"(target p50 ≤ {FIRST_RENDER_GOAL_S} s: {verdict})")
    for label, row in ((f"the same PDF again (cached, {concurrency} connections)", cached), ("its download", download)):
        verdict = "met" if row["p50_ms"] <= CACHED_GOAL_MS else "missed"
        click.echo(f"{label}: p50 {row['p50_ms']:.1f} ms, p95 {row['p95_ms']:.1f} ms "
                   f"(target p50 ≤ {CACHED_GOAL_MS:.0f} ms: {verdict})")
    click.echo(f"PDF worker peak memory (VmHWM): {f'{peak:.0f} MB' if peak else 'not found'}")


def results_path() -> Path:
    data_dir = os.environ.get("PORTAL_DATA_DIR")
    return Path(data_dir) / "bench" / "latest.json" if data_dir else Path("bench-results") / "latest.json"


def save(summary: dict) -> Path:
    path = results_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    return path


# --- the whole run -----------------------------------------------------------------------


def targets_for(bare: Server, portal: Server, probes: list[dict], registrations: list[dict]) -> list[Target]:
    """Sign in as the sales rep and the channel manager; every target, the bare page first."""
    cookie, token = csrf_session(portal.port, login(portal.port, LOGIN_EMAIL, ROOM_PATH))
    rep = {"Cookie": cookie}
    htmx = rep | {"HX-Request": "true", "X-CSRFToken": token}
    reviewer = {"Cookie": login(portal.port, REVIEWER_EMAIL, REVIEW_PATH)}
    partner_admin = {"Cookie": login(portal.port, PROGRAM_EMAIL, ROOM_PATH)}
    search_paths = [f"/search?{urllib.parse.urlencode({'q': q})}" for q in SEARCH_QUERIES]
    drafts = [form | {"csrf_token": token, "action": "draft"} for form in registrations]
    return [Target("bare", bare.port, gets(["/"])),
            Target("room", portal.port, gets([ROOM_PATH], rep)),
            Target("search", portal.port, gets(search_paths, rep)),
            Target("conflict", portal.port, form_posts(CHECK_PATH, probes, htmx)),
            Target("register", portal.port, form_posts(REGISTER_PATH, drafts, rep), expect=303),
            Target("review", portal.port, gets([REVIEW_PATH], reviewer)),
            Target("program", portal.port, gets([PROGRAM_PATH], partner_admin))]


@dataclass
class CobrandTargets:
    warm: Target  # starts each web worker's PDF worker, so first renders measure rendering only
    first: Target  # a new message each request: a cache miss, rendered
    cached: Target  # the same message again: found in the cache
    download: Target  # the cached PDF's download


def cobrand_targets(portal: Server, flyer_id: int) -> CobrandTargets:
    """Sign in as Gold's marketer; make one PDF to find its download URL."""
    cookie, token = csrf_session(portal.port, login(portal.port, COBRAND_EMAIL, "/co-brand"))
    htmx = {"Cookie": cookie, "HX-Request": "true", "X-CSRFToken": token}
    path, run_id = f"/co-brand/{flyer_id}/pdf", secrets.token_hex(3)

    def messages(kind: str, count: int) -> list[dict]:
        return [{"csrf_token": token, "custom_message": f"Bench {run_id}, {kind} {n}: a message nobody typed yet."}
                for n in range(count)]

    again = form_posts(path, messages("again", 1), htmx)
    status, _, body = fetch(portal.port, "POST", path, again[0].headers, again[0].body)
    made = re.search(rb"/co-brand/pdfs/(\d+)/download", body)
    if status != 200 or made is None:
        raise click.ClickException(f"POST {path} gave HTTP {status} and no PDF")
    download = form_posts(f"/co-brand/pdfs/{made.group(1).decode()}/download", [{"csrf_token": token}],
                          {"Cookie": cookie})
    return CobrandTargets(warm=Target("pdf_warm", portal.port, form_posts(path, messages("warm-up", 8), htmx)),
                          first=Target("pdf_first", portal.port, form_posts(path, messages("first", FIRST_RENDERS), htmx)),
                          cached=Target("pdf_cached", portal.port, again),
                          download=Target("pdf_download", portal.port, download))


def flyer_id(app: Flask) -> int:
    with app.app_context():
        found = db.session.scalar(select(CobrandTemplate.id).where(CobrandTemplate.title == FLYER))
        db.engine.dispose()
    return found


def pdf_worker_peak_mb(server: Server) -> float | None:
    """The largest peak resident memory (VmHWM) among the server's PDF worker processes:
    descendants of the gunicorn master started by multiprocessing's forkserver."""
    children: dict[int, list[int]] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        children.setdefault(int(fields["PPid"]), []).append(int(status.parent.name))
    peaks, stack = [], list(children.get(server.process.pid, []))
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            if b"forkserver" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                continue
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        peaks += [int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:")]
    return max(peaks, default=None)


def measure_cobrand(targets: CobrandTargets, requests: int, rounds: int, concurrency: int) -> dict[str, list[Round]]:
    load(targets.warm, len(targets.warm.requests), concurrency)
    results = {"pdf_first": [load(targets.first, FIRST_RENDERS, 1)]}
    results.update(measure([targets.cached, targets.download], requests, rounds, concurrency))
    return results


def run(partners: int, assets: int, deals: int, requests: int, rounds: int, concurrency: list[int],
        verbose: bool = False, backends: Backends = Backends()) -> dict:
    """Seed, serve, sign in, measure every concurrency mode, report; servers and the temp dir
    are always cleaned up. Co-branding is measured once, at the first concurrency."""
    settings = {"partners": partners, "assets": assets, "deals": deals, "requests": requests, "rounds": rounds,
                "concurrency": concurrency}
    with tempfile.TemporaryDirectory(prefix="partnerhouse-bench-") as tmp:
        data_dir = Path(tmp)
        click.echo(f"Seeding a throwaway database with {partners} generated partners, {assets} assets "
                   f"and {deals} deals…")
        app, seconds = build_data(data_dir, partners, assets, deals, backends)
        settings |= {"database": app.config["SQLALCHEMY_DATABASE_URI"].partition(":")[0],
                     "search_backend": app.config["SEARCH_BACKEND"]}
        probes, registrations = deal_forms(app)
        flyer = flyer_id(app)
        statements = sql_count(app)
        env = server_env(data_dir, app)
        servers = []
        try:
            servers.append(bare := start_server("bare", "tools.bench:bare_app()", env, data_dir))
            servers.append(portal := start_server("portal", "portal:create_app()", env, data_dir))
            wait_ready(bare, "/")
            wait_ready(portal, "/login")
            targets = targets_for(bare, portal, probes, registrations)
            modes = {}
            for connections in concurrency:
                click.echo(f"Loading {', '.join(t.name for t in targets)} with {connections} connections "
                           f"({rounds} rounds, interleaved)…")
                results = measure(targets, requests, rounds, connections)
                modes[str(connections)] = mode_summary(targets, results)
            cobrand = cobrand_targets(portal, flyer)
            click.echo("Co-branding: first renders one at a time, then the cached PDF and its download…")
            results = measure_cobrand(cobrand, requests, rounds, concurrency[0])
            worker_peak_mb = pdf_worker_peak_mb(portal)
        finally:
            stop_servers(servers)
    summary = {
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "settings": settings,
        "modes": modes,
        "cobrand": {t.name: summarise(t, results[t.name]) for t in (cobrand.first, cobrand.cached, cobrand.download)},
        "cobrand_concurrency": concurrency[0],
        "reindex_seconds": seconds["reindex"],
        "deals_seed_seconds": seconds["deals"],
        "evaluation_seconds": seconds["evaluation"],
        "sql": statements,
        "pdf_worker_peak_mb": worker_peak_mb,
    }
    report(summary, verbose)
    click.echo(f"Results written to {save(summary)}")
    return summary


def mode_summary(targets: list[Target], results: dict[str, list[Round]]) -> dict:
    rows = {target.name: summarise(target, results[target.name]) for target in targets}
    return {"targets": rows, "ratios": {name: rows[name]["rps"] / rows["bare"]["rps"] for name in RATIO_GOALS}}
