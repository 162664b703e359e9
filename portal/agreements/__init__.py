"""Partner agreements: the vendor's versioned agreements (Markdown, per partner type, draft →
published → retired), each org's acceptance of the current one (typed name, time, IP, exact
version and the text's SHA-256), the gate in front of deal registration and co-branding
(gate.py), the acceptance PDF and its public verification page."""
from flask import Blueprint

bp = Blueprint("agreements", __name__, url_prefix="/agreements")
