"""The command line, registered on `app.cli` by create_app: `flask --app portal …`,
`python cli.py …` and the `partnerhouse` console script are the same commands."""
import logging
import time
from datetime import timedelta

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import FlaskGroup, ScriptInfo, pass_script_info, with_appcontext
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from portal import create_app, jobs
from portal.extensions import db


@click.command()
@with_appcontext
def init():
    """Create or upgrade the database schema (migrations to head)."""
    upgrade()
    click.echo("Database is at the latest schema.")


@click.command("seed-demo")
@click.option("--partners", default=0, help="Also generate this many partner orgs (3 people each).")
@click.option("--assets", default=0, type=click.IntRange(min=0),
              help="Also generate this many text and Markdown assets.")
@click.option("--deals", default=0, type=click.IntRange(min=0),
              help="Also generate this many deal registrations (owned by the generated partners' people).")
@with_appcontext
def seed_demo(partners, assets, deals):
    """Load the demo data from README.md (once), plus generated partners, assets and deals for benchmarks."""
    from portal import demo
    from portal.assets import indexing
    from portal.demo import generated

    upgrade()
    seeding = not demo.is_seeded()
    demo.seed_demo()
    if partners:
        generated.seed_generated_partners(partners)
    if assets:
        generated.seed_generated_assets(assets)
    if deals:
        generated.seed_generated_deals(deals)
    if seeding or assets:
        indexing.rebuild()
    # End the transaction that checking for the seed began: `demo` serves next in this app
    # context, and on SQLite an open transaction holds the write lock (every login would fail).
    db.session.commit()
    click.echo(f"Demo data ready (password for every demo account: {demo.DEMO_PASSWORD}).")


@click.command()
@with_appcontext
def reindex():
    """Rebuild the search index from the database into a new directory, then swap it in."""
    from portal.assets import indexing

    started = time.perf_counter()
    indexing.rebuild()
    click.echo(f"Search index rebuilt in {time.perf_counter() - started:.1f} s.")


@click.command("collect-files")
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
@with_appcontext
def collect_files(dry_run):
    """Delete stored files no row refers to any more (older than a day)."""
    from portal import maintenance

    done = maintenance.collect_files(dry_run=dry_run)
    verb = "Would delete" if dry_run else "Deleted"
    click.echo(f"{verb} {done.files} unreferenced file(s), {done.bytes / 1_048_576:.1f} MB.")


MAIL_EVERY = timedelta(minutes=1)


@jobs.kind("tick")
def run_tick(_job=None) -> dict:
    """Expire lapsed deal protections and unconfirmed applications, record onboarding steps
    done, send expiry reminders (deals, certifications) and stalled-step reminders and, once a
    day, evaluate every partner's tier; each reminder and decision is recorded, so a second run
    sends nothing twice."""
    from portal.deals import services as deals
    from portal.onboarding import checklist, services as onboarding
    from portal.program import tiering
    from portal.training import certificates

    done = {"expired": deals.expire_lapsed(), "reminded": deals.send_reminders(),
            "certificates_reminded": certificates.send_reminders(),
            "applications_expired": onboarding.expire_unconfirmed(),
            "onboarding_steps": checklist.record_progress(), "onboarding_reminded": checklist.send_reminders()}
    evaluated = tiering.evaluate_daily()
    return done | {"tiers": evaluated.summary() if evaluated else None}


@click.command()
@with_appcontext
def tick():
    """Time-based jobs, safe to run as often as you like (e.g. every 15 minutes from cron):
    expire lapsed deal protections, send expiry reminders (deals, certifications) and
    evaluate the partners' tiers once a day."""
    done = run_tick()
    db.session.commit()
    click.echo(f"{done['expired']} deal(s) expired, {done['reminded']} reminder(s) sent.")
    click.echo(f"{done['certificates_reminded']} certification expiry reminder(s) sent.")
    click.echo(f"{done['applications_expired']} unconfirmed application(s) expired; {done['onboarding_steps']} "
               f"onboarding step(s) completed, {done['onboarding_reminded']} stalled step(s) reminded.")
    click.echo(f"Tiers: {done['tiers']}." if done["tiers"] else "Tiers: evaluated already today.")


@jobs.kind("send_mail")
def run_send_mail(_job=None) -> dict:
    """Deliver the outbox over SMTP (PORTAL_SMTP_HOST)."""
    from portal.core.mail import deliver_pending

    config = current_app.config
    return {"sent": deliver_pending(config["SMTP_HOST"], config["SMTP_PORT"], config["MAIL_FROM"])}


@click.command()
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
@with_appcontext
def worker(burst):
    """Run background jobs from the Redis queue (PORTAL_REDIS_URL); run as many as you like, on any hosts."""
    if not current_app.config["REDIS_URL"]:
        raise click.ClickException("PORTAL_REDIS_URL is not set: jobs run in the web process, there is no queue.")
    jobs.work(burst=burst)


@click.command()
@click.option("--tick-minutes", default=15, show_default=True, type=click.IntRange(1, 24 * 60),
              help="Run `tick` every this many minutes.")
@click.option("--pass-seconds", default=10, show_default=True, type=click.IntRange(1, 3600),
              help="Look for due work this often.")
@click.option("--once", is_flag=True, help="One pass, then stop.")
@with_appcontext
def scheduler(tick_minutes, pass_seconds, once):
    """Enqueue the periodic work (tick; outbox delivery when PORTAL_SMTP_HOST is set) and retry
    jobs whose worker died. Safe on several hosts at once: each run is claimed in the database."""
    periodic = {"tick": timedelta(minutes=tick_minutes)}
    if current_app.config["SMTP_HOST"]:
        periodic["send_mail"] = MAIL_EVERY
    while True:
        for name in jobs.run_scheduler_pass(periodic):
            click.echo(f"{name}: enqueued.")
        if once:
            return
        time.sleep(pass_seconds)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@pass_script_info
def serve(info: ScriptInfo, host, port):
    """Serve the portal with the development server."""
    run_simple(host, port, info.load_app(), use_reloader=False, threaded=True)


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.pass_context
def demo_command(ctx, host, port):
    """init + seed the demo data if the database is empty + serve."""
    ctx.invoke(seed_demo)
    click.echo(f"Partnerhouse on http://{host}:{port}/login  (e.g. sales@gold.demo / partnerhouse)")
    ctx.invoke(serve, host=host, port=port)


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--org", "org_name", required=True, help="Name of an existing organisation.")
@click.option("--role", type=click.Choice(["admin", "channel_manager", "partner_admin", "partner_user"]),
              required=True)
@click.option("--persona", type=click.Choice(["sales", "presales", "marketing", "post_sales"]), default="sales")
@click.password_option()
@with_appcontext
def create_user(email, name, org_name, role, persona, password):
    """Create a user with a password (e.g. the first vendor admin)."""
    from portal.core import audit
    from portal.core.auth import MIN_PASSWORD_LENGTH, normalise_email
    from portal.core.models import Organization, Persona, Role, User
    from portal.core.passwords import hash_password

    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.BadParameter(f"at least {MIN_PASSWORD_LENGTH} characters", param_hint="password")
    org = db.session.scalar(sa.select(Organization).where(Organization.name == org_name))
    if org is None:
        raise click.BadParameter(f"no organisation named {org_name!r}", param_hint="--org")
    if db.session.scalar(sa.select(User.id).where(User.email == normalise_email(email))):
        raise click.BadParameter("that email has an account already", param_hint="--email")
    if Role(role).is_vendor != org.is_vendor:
        raise click.BadParameter(f"{role} does not fit a {org.kind.value} organisation", param_hint="--role")
    user = User(email=normalise_email(email), name=name, org=org, role=Role(role),
                persona=Persona(persona), password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    audit.record(None, "user.created", user, f"{user.email} created from the command line")
    db.session.commit()
    click.echo(f"Created {email}.")


@click.command("send-mail")
@with_appcontext
def send_mail():
    """Deliver queued outbox emails over SMTP (PORTAL_SMTP_HOST)."""
    if not current_app.config["SMTP_HOST"]:
        raise click.ClickException("PORTAL_SMTP_HOST is not set; emails stay in the outbox.")
    click.echo(f"Sent {run_send_mail()['sent']} email(s).")


def _counts(value: str) -> list[int]:
    try:
        counts = [int(part) for part in value.split(",")]
    except ValueError:
        raise click.BadParameter("a comma-separated list of numbers, e.g. 4,16") from None
    if not all(1 <= count <= 64 for count in counts):
        raise click.BadParameter("each concurrency must be between 1 and 64")
    return counts


@click.command()
@click.option("--partners", default=200, show_default=True, type=click.IntRange(min=0),
              help="Generated partner orgs in the throwaway database.")
@click.option("--assets", default=10_000, show_default=True, type=click.IntRange(min=0),
              help="Generated assets in the throwaway database (searched by the search target).")
@click.option("--deals", default=100_000, show_default=True, type=click.IntRange(min=0),
              help="Generated deals in the throwaway database (looked up by the conflict check).")
@click.option("--requests", default=1000, show_default=True, type=click.IntRange(1, 100_000),
              help="Requests per round per target.")
@click.option("--rounds", default=3, show_default=True, type=click.IntRange(1, 20))
@click.option("--concurrency", default="4,16", show_default=True, callback=lambda ctx, param, value: _counts(value),
              help="Concurrent client threads; several modes, comma-separated, are each measured in turn.")
@click.option("--verbose", is_flag=True, help="Also print the SQL statements of one room render.")
@click.option("--database-url", default="", help="A PostgreSQL database to bench on instead of a throwaway SQLite "
              "file. Its public schema is DROPPED and rebuilt.")
@click.option("--search-backend", default="", type=click.Choice(["", "whoosh", "postgres"]),
              help="The search backend (default: PostgreSQL's full text on PostgreSQL, else whoosh).")
def bench(partners, assets, deals, requests, rounds, concurrency, verbose, database_url, search_backend):
    """Benchmark the sales room, search and deal registration under gunicorn against a bare Flask + Jinja page
    (from a source checkout: the harness is tools/bench, outside the portal package)."""
    from tools import bench as benchmark

    benchmark.run(partners, assets, deals, requests, rounds, concurrency, verbose,
                  benchmark.Backends(database_url, search_backend))




def _app_for_the_command_line():
    """The app, with INFO logs on the terminal (the factory leaves logging to its host)."""
    logging.basicConfig(level=logging.INFO)
    return create_app()


cli = FlaskGroup(create_app=_app_for_the_command_line, help="Partnerhouse: a partner relationship management portal.")


def _without_password(url: str) -> str:
    return sa.engine.make_url(url).render_as_string(hide_password=True)


@click.command("move-install")
@click.option("--database", "database_url", required=True,
              help="The empty database to move into, e.g. postgresql+psycopg://user@host/partnerhouse.")
@click.option("--storage", "storage_url", default=None,
              help="The file store to move the files into, e.g. s3://bucket/prefix (default: they stay).")
@click.option("--dry-run", is_flag=True, help="Only count what would be moved.")
@with_appcontext
def move_install(database_url, storage_url, dry_run):
    """Copy this install's data and files onto other engines (e.g. SQLite + local files onto
    PostgreSQL + S3), then check that every row and file arrived. This install is only read."""
    from portal import moving

    target = create_app({"DATA_DIR": current_app.config["DATA_DIR"], "SQLALCHEMY_DATABASE_URI": database_url,
                         **({"STORAGE_URL": storage_url} if storage_url else {})})
    shown_url = sa.engine.make_url(database_url).render_as_string(hide_password=True)
    try:
        report = moving.move_install(target, dry_run=dry_run, echo=click.echo, shown_url=shown_url)
    except moving.MoveRefused as refused:
        raise click.ClickException(str(refused)) from None
    if dry_run:
        click.echo("Dry run: nothing was written.")
    elif report.mismatches:
        raise click.ClickException("The count check failed:\n  " + "\n  ".join(report.mismatches))
    else:
        click.echo(f"Moved {report.total_rows} rows and {report.copied_files} file(s); the count check passed.")


COMMANDS = (init, seed_demo, reindex, collect_files, tick, worker, scheduler, serve, demo_command, create_user,
            send_mail, bench, move_install)
