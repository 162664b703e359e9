"""Training and certification. Its views live in routes.py (the trainee), team_routes.py
(the partner admin) and editor_routes.py (the vendor), all on this one blueprint; its rules
in access, progress, quizzes, certificates, program, stats and editor."""
from flask import Blueprint, request

bp = Blueprint("training", __name__)


def page_number() -> int:
    return request.args.get("page", 1, type=int)
