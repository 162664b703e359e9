"""Partnerhouse: a partner relationship management portal."""
from pathlib import Path

from flask import Flask

from portal import config as settings
from portal.extensions import csrf, db, login_manager, migrate

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(settings.from_env())
    app.config.update(config or {})
    Path(app.config["DATA_DIR"]).mkdir(parents=True, exist_ok=True)  # SQLite cannot create its folder

    _init_extensions(app)
    _register_converters(app)
    _register_blueprints(app)
    _register_web_layer(app)
    _register_commands(app)
    return app


def _init_extensions(app: Flask) -> None:
    from portal import models  # noqa: F401  (registers every model)
    from portal import storage
    from portal.core import database

    storage.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    with app.app_context():
        database.configure(db.engine)

    from portal import jobs
    from portal.assets import indexing
    from portal.core.auth import load_user

    indexing.init_app(app)
    jobs.init_app(app)

    login_manager.user_loader(load_user)


def _register_converters(app: Flask) -> None:
    from portal.web.params import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter  # before any route is added


def _register_blueprints(app: Flask) -> None:
    from portal.agreements import bp as agreements_bp
    from portal.api import api_bp
    from portal.assets.routes import bp as assets_bp
    from portal.cobrand import bp as cobrand_bp
    from portal.accounts.routes import auth_bp, system_bp
    from portal.deals.routes import bp as deals_bp
    from portal.notifications.routes import bp as notifications_bp
    from portal.onboarding import bp as onboarding_bp
    from portal.people.routes import bp as people_bp
    from portal.partners.routes import bp as partners_bp
    from portal.program import bp as program_bp
    from portal.rooms.routes import bp as rooms_bp
    from portal.training import bp as training_bp

    # Co-branding's, training's, the program's and onboarding's views live in modules, each on its domain's one blueprint.
    import portal.cobrand.routes, portal.cobrand.template_routes  # noqa: F401,E401
    import portal.training.routes, portal.training.team_routes, portal.training.editor_routes  # noqa: F401,E401
    import portal.program.routes, portal.program.standing_routes, portal.program.distribution_routes  # noqa: F401,E401
    import portal.onboarding.routes, portal.onboarding.checklist_routes  # noqa: F401,E401
    import portal.agreements.routes  # noqa: F401

    for blueprint in (auth_bp, system_bp, rooms_bp, assets_bp, deals_bp, notifications_bp, partners_bp, people_bp,
                      cobrand_bp, training_bp, program_bp, agreements_bp, onboarding_bp, api_bp):
        app.register_blueprint(blueprint)


def _register_web_layer(app: Flask) -> None:
    from portal.core.access import require_login
    from portal.web import errors, templating
    from portal.web.security import add_security_headers, refuse_invisible_characters

    app.before_request(refuse_invisible_characters)
    app.before_request(require_login)
    app.after_request(add_security_headers)
    errors.register(app)
    templating.register(app)
    if app.config["PROXY_HOPS"]:
        # Behind N trusted proxies (a load balancer): the client's address and scheme are the
        # ones they forwarded. Without it every client shares the balancer's address, and the
        # throttles per address (sign-in, applications) would count them all as one.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def _register_commands(app: Flask) -> None:
    from portal.commands import COMMANDS

    for command in COMMANDS:
        app.cli.add_command(command)
