"""The demo's partner agreement: v1 "Partner Program Agreement" for every partner type,
published about a year ago and accepted by every demo partner org's admin (addresses from
the documentation range 198.51.100.0/24); v2 a draft that changes the deal-registration and
data-protection sections."""
from datetime import timedelta

import sqlalchemy as sa

from portal.agreements.models import EVERY_TYPE, Acceptance, Agreement, AgreementStatus
from portal.agreements.services import sha256_of
from portal.core import clock
from portal.core.markdown import render_markdown
from portal.core.models import Organization, OrgKind, Role, User
from portal.extensions import db

TITLE = "Partner Program Agreement"

_COMMON = """This agreement is between **Acme Cloud, Inc.** ("Acme Cloud") and the partner organisation
accepting it ("Partner"). It applies to every partner type of the Acme Cloud Partner Program.

## 1. Appointment

Acme Cloud appoints Partner as a non-exclusive partner to market, resell, refer or deliver
services around Acme Cloud products in its region, as its partner type allows. Partner acts
as an independent business and does not bind Acme Cloud to any obligation.

## 2. Program tiers and benefits

Partner's tier, and the benefits that come with it, follow the criteria published in the
partner portal. Acme Cloud evaluates them as the portal describes and may change the
criteria with 30 days' notice in the portal.
"""

_V1_DEALS = """
## 3. Deal registration

- Partner registers an opportunity in the portal before quoting it.
- The first approved registration for a customer and product is protected for the days of
  Partner's tier.
- Acme Cloud reviews registrations within two business days.
"""

_V2_DEALS = """
## 3. Deal registration

- Partner registers an opportunity in the portal before quoting it.
- The first approved registration for a customer and product is protected for the days of
  Partner's tier, and **one extension of up to 30 days** may be requested before it ends.
- Acme Cloud reviews registrations within **48 hours**.
- A distributor may register a deal on behalf of its tier-2 reseller; the deal is the
  reseller's.
"""

_BRAND = """
## 4. Use of the Acme Cloud brand

Partner uses the Acme Cloud names and logos only in co-branded materials made in the portal
or approved in writing, and stops using them when this agreement ends.
"""

_V1_DATA = """
## 5. Confidentiality and data protection

Each party keeps the other's confidential information confidential for three years after
this agreement ends. Customer data shared through the portal is used only to deliver the
program.
"""

_V2_DATA = """
## 5. Confidentiality and data protection

Each party keeps the other's confidential information confidential for three years after
this agreement ends. Personal data shared through the portal is processed under the **Acme
Cloud Data Processing Addendum** (Annex A), and Partner reports a personal-data breach to
Acme Cloud within **72 hours** of becoming aware of it.
"""

_END = """
## 6. Term and termination

This agreement runs for one year and renews each year. Either party may end it with 30 days'
written notice, or at once if the other party materially breaches it and does not cure the
breach within 30 days.

## 7. Governing law

This agreement is governed by the laws of the State of Delaware.
"""

V1_BODY = _COMMON + _V1_DEALS + _BRAND + _V1_DATA + _END
V2_BODY = _COMMON + _V2_DEALS + _BRAND + _V2_DATA + _END


def seed_demo_agreements() -> None:
    """After the orgs and people exist."""
    now = clock.now()
    vendor_admin = db.session.scalar(sa.select(User).where(User.email == "admin@vendor.demo"))
    published_at = (now - timedelta(days=365)).replace(hour=9, minute=0, second=0, microsecond=0)
    v1 = Agreement(partner_type=None, scope=EVERY_TYPE, version=1, title=TITLE, body=V1_BODY,
                   body_html=render_markdown(V1_BODY), status=AgreementStatus.published, grace_days=30,
                   text_sha256=sha256_of(V1_BODY), created_by=vendor_admin, created_at=published_at - timedelta(days=6),
                   updated_at=published_at - timedelta(days=6), published_at=published_at, published_by=vendor_admin)
    v2 = Agreement(partner_type=None, scope=EVERY_TYPE, version=2, title=TITLE, body=V2_BODY,
                   body_html=render_markdown(V2_BODY), status=AgreementStatus.draft, grace_days=30,
                   created_by=vendor_admin, created_at=now - timedelta(days=3), updated_at=now - timedelta(days=1))
    db.session.add_all([v1, v2])
    db.session.flush()
    orgs = db.session.scalars(sa.select(Organization).where(Organization.kind == OrgKind.partner)
                              .order_by(Organization.id)).all()
    for number, org in enumerate(orgs):
        admin = db.session.scalars(sa.select(User).where(User.org_id == org.id, User.role == Role.partner_admin)
                                   .order_by(User.id)).first()
        if admin is None:
            continue
        accepted_at = published_at + timedelta(days=2 + 5 * number, hours=1 + number, minutes=7 * number + 3)
        db.session.add(Acceptance(agreement=v1, org=org, user=admin, typed_name=admin.name, accepted_at=accepted_at,
                                  ip=f"198.51.100.{23 + 17 * number}", version=1, text_sha256=v1.text_sha256,
                                  code=f"DEMO-AGR-{number + 1:04d}"))
