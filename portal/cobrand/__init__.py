"""Co-branding: each partner org's brand kit (logo, contact block, accent colour), read by
co-branded templates and PDFs. Its views live in routes.py (the brand kit) and
template_routes.py (co-branded collateral), both on this one blueprint."""
from flask import Blueprint

bp = Blueprint("cobrand", __name__)
