"""Recruitment and onboarding: the public application, its confirmation by email, and the
vendor's vetting pipeline that turns an approved application into a partner org."""
from flask import Blueprint

bp = Blueprint("onboarding", __name__)
