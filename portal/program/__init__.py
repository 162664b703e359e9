"""The partner program: tiers, their criteria and benefits, evaluation and tier changes
(routes.py, for both sides), and two-tier distribution (distribution_routes.py), all on this
one blueprint."""
from flask import Blueprint

bp = Blueprint("program", __name__, url_prefix="/program")
