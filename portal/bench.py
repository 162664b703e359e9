"""Benchmark: the sales room and search under gunicorn against a bare Flask + Jinja page.

`python cli.py bench` seeds a throwaway database (generated partners and assets), times a
full search reindex, starts both apps under gunicorn on loopback ports, signs in over HTTP,
loads every target in interleaved rounds and reports requests/s, latency, each portal
target's ratio to the bare page and the SQL statements one room render runs.
"""
import http.client
import json
import os
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
from http.cookies import SimpleCookie
from pathlib import Path

import click
import jinja2
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import event

from portal import create_app, demo
from portal.assets import indexing
from portal.demo_assets import seed_generated_assets
from portal.extensions import db

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
ROOM_PATH = "/rooms/sales"
LOGIN_EMAIL = "sales@gold.demo"
GUNICORN_SETTINGS = ["--workers", "2", "--worker-class", "sync", "--log-level", "warning", "--graceful-timeout", "5"]
REQUEST_TIMEOUT = 10.0  # seconds, per request
PHASE_TIMEOUT = 60.0  # seconds, per warm-up or round of one target
# (target ratio, stretch ratio) to the bare page, per portal target
RATIO_GOALS = {"room": (0.35, 0.5), "search": (0.10, 0.25)}
SEARCH_P95_GOAL_MS = 30.0
REINDEX_GOAL_S = 60.0
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


def build_data(data_dir: Path, partners: int, assets: int) -> tuple[Flask, float]:
    """Migrate and seed a database under data_dir, then build the search index from it.
    Returns an app bound to it and the seconds the full reindex took."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{data_dir / 'portal.db'}",
                      "DATA_DIR": str(data_dir)})
    with app.app_context():
        upgrade()
        demo.seed_demo()
        if partners:
            demo.seed_generated_partners(partners)
        if assets:
            seed_generated_assets(assets)
        started = time.perf_counter()
        indexing.rebuild()
        reindex_seconds = time.perf_counter() - started
        db.engine.dispose()
    return app, reindex_seconds


def server_env(data_dir: Path) -> dict[str, str]:
    """Environment for the gunicorn children: the throwaway data dir and DB, cookies over http."""
    env = {key: value for key, value in os.environ.items() if key != "PORTAL_DATABASE_URL"}
    env.update(PORTAL_DATA_DIR=str(data_dir), PORTAL_SECRET_KEY=secrets.token_urlsafe(32),
               PORTAL_ENV="development")
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


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    if match is None:
        raise click.ClickException("no csrf_token in /password/forgot")
    return match.group(1) or match.group(2)


def login(port: int) -> str:
    """Sign in over HTTP; returns the Cookie header value for the signed-in session."""
    _, headers, body = fetch(port, "GET", "/password/forgot")
    cookie = session_cookie(headers)
    form = urllib.parse.urlencode({"csrf_token": csrf_from(body.decode()), "email": LOGIN_EMAIL,
                                   "password": demo.DEMO_PASSWORD})
    status, headers, _ = fetch(port, "POST", "/login", body=form, headers={
        "Cookie": cookie or "", "Content-Type": "application/x-www-form-urlencoded"})
    cookie = session_cookie(headers)
    if status != 303 or cookie is None:
        raise click.ClickException(f"login as {LOGIN_EMAIL} failed: HTTP {status}")
    status, _, _ = fetch(port, "GET", ROOM_PATH, headers={"Cookie": cookie})
    if status != 200:
        raise click.ClickException(f"GET {ROOM_PATH} after login gave HTTP {status}, not 200")
    return cookie


# --- load --------------------------------------------------------------------------------


@dataclass
class Target:
    name: str
    port: int
    paths: list[str]  # requests cycle through these
    headers: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.paths[0] if len(self.paths) == 1 else f"{self.paths[0]} (+{len(self.paths) - 1} more)"


@dataclass
class Round:
    seconds: float
    latencies: list[float]  # seconds, successful requests only
    errors: int
    timed_out: bool

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds


def load(target: Target, count: int, concurrency: int) -> Round:
    """`count` GETs from `concurrency` threads, one connection each; stops at PHASE_TIMEOUT."""
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
            path = target.paths[ticket % len(target.paths)]
            started = time.perf_counter()
            try:
                ok = fetch(target.port, "GET", path, target.headers)[0] == 200
            except OSError:
                ok = False
            (latencies if ok else failures).append(time.perf_counter() - started)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return Round(seconds, latencies, len(failures), timed_out=len(latencies) + len(failures) < count)


def measure(targets: list[Target], requests: int, rounds: int, concurrency: int) -> dict[str, list[Round]]:
    """Warm up every target, then load them in rounds, alternating which goes first."""
    for target in targets:
        load(target, max(50, requests // 5), concurrency)
    results = {target.name: [] for target in targets}
    for number in range(rounds):
        for target in targets if number % 2 == 0 else reversed(targets):
            results[target.name].append(load(target, requests, concurrency))
    return results


def summarise(target: Target, rounds: list[Round]) -> dict:
    """Median req/s over rounds; p50/p95 over every request of every round, in ms."""
    latencies = sorted(seconds * 1000 for r in rounds for seconds in r.latencies)
    if not latencies:
        raise click.ClickException(f"{target.name} {target.label}: no request succeeded")
    return {
        "path": target.label,
        "rps": statistics.median(r.rps for r in rounds),
        "rps_rounds": [round(r.rps, 1) for r in rounds],
        "p50_ms": statistics.median(latencies),
        "p95_ms": latencies[int(0.95 * (len(latencies) - 1))],
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
               f"{s['requests']} requests × {s['rounds']} rounds per target, concurrency {s['concurrency']}, "
               "gunicorn 2 sync workers")
    click.echo(f"{'target':<44}{'req/s (median)':>15}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}   req/s per round")
    for name, row in summary["targets"].items():
        flag = f"  ({row['timed_out_rounds']} round(s) hit the {PHASE_TIMEOUT:.0f}s limit)" if row["timed_out_rounds"] else ""
        click.echo(f"{name + ' ' + row['path']:<44}{row['rps']:>15.1f}{row['p50_ms']:>9.1f}"
                   f"{row['p95_ms']:>9.1f}{row['errors']:>8}   {' / '.join(map(str, row['rps_rounds']))}{flag}")
    for name, ratio in summary["ratios"].items():
        target, stretch = RATIO_GOALS[name]
        verdict = "stretch met" if ratio >= stretch else "target met" if ratio >= target else "below target"
        click.echo(f"ratio {name}/bare: {ratio:.2f}×  (target ≥ {target}×, stretch {stretch}×: {verdict})")
    p95 = summary["targets"]["search"]["p95_ms"]
    click.echo(f"search p95: {p95:.1f} ms (target ≤ {SEARCH_P95_GOAL_MS:.0f} ms: "
               f"{'met' if p95 <= SEARCH_P95_GOAL_MS else 'missed'})")
    reindex = summary["reindex_seconds"]
    click.echo(f"full reindex of {s['assets']} generated + the demo assets: {reindex:.1f} s "
               f"(target ≤ {REINDEX_GOAL_S:.0f} s: {'met' if reindex <= REINDEX_GOAL_S else 'missed'})")
    statements = summary["sql"]
    click.echo(f"SQL statements per GET {ROOM_PATH}: {len(statements)}")
    if verbose:
        for number, statement in enumerate(statements, 1):
            click.echo(f"  {number:>2}. {short(statement)}")


def results_path() -> Path:
    data_dir = os.environ.get("PORTAL_DATA_DIR")
    return Path(data_dir) / "bench" / "latest.json" if data_dir else Path("bench-results") / "latest.json"


def save(summary: dict) -> Path:
    path = results_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    return path


# --- the whole run -----------------------------------------------------------------------


def run(partners: int, assets: int, requests: int, rounds: int, concurrency: int, verbose: bool = False) -> dict:
    """Seed, serve, sign in, measure, report; servers and the temp dir are always cleaned up."""
    settings = {"partners": partners, "assets": assets, "requests": requests, "rounds": rounds,
                "concurrency": concurrency}
    with tempfile.TemporaryDirectory(prefix="partnerhouse-bench-") as tmp:
        data_dir = Path(tmp)
        click.echo(f"Seeding a throwaway database with {partners} generated partners and {assets} assets…")
        app, reindex_seconds = build_data(data_dir, partners, assets)
        statements = sql_count(app)
        env = server_env(data_dir)
        servers = []
        try:
            servers.append(bare := start_server("bare", "portal.bench:bare_app()", env, data_dir))
            servers.append(portal := start_server("portal", "portal:create_app()", env, data_dir))
            wait_ready(bare, "/")
            wait_ready(portal, "/login")
            cookie = login(portal.port)
            search_paths = [f"/search?{urllib.parse.urlencode({'q': q})}" for q in SEARCH_QUERIES]
            targets = [Target("bare", bare.port, ["/"]),
                       Target("room", portal.port, [ROOM_PATH], {"Cookie": cookie}),
                       Target("search", portal.port, search_paths, {"Cookie": cookie})]
            click.echo(f"Loading {', '.join(t.name for t in targets)} ({rounds} rounds, interleaved)…")
            results = measure(targets, requests, rounds, concurrency)
        finally:
            stop_servers(servers)
    rows = {target.name: summarise(target, results[target.name]) for target in targets}
    summary = {
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "settings": settings,
        "targets": rows,
        "ratios": {name: rows[name]["rps"] / rows["bare"]["rps"] for name in RATIO_GOALS},
        "reindex_seconds": reindex_seconds,
        "sql": statements,
    }
    report(summary, verbose)
    click.echo(f"Results written to {save(summary)}")
    return summary
