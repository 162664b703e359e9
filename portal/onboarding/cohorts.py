"""The recruitment funnel by month of approval, in one grouped query on both databases: how
many were approved, how many have registered a first deal and how many finished onboarding,
and the average days from application to approval, approval to first deal and approval to
fully onboarded."""
from dataclasses import dataclass

import sqlalchemy as sa

from portal.core.database import days_between, month_of
from portal.deals import services as deals
from portal.extensions import db
from portal.onboarding.models import Application, ApplicationStatus, Onboarding


@dataclass(frozen=True)
class Cohort:
    month: str  # "2026-11"
    approved: int
    with_first_deal: int
    onboarded: int
    days_to_approval: float | None
    days_to_first_deal: float | None
    days_to_onboarded: float | None


def cohorts(limit: int = 24) -> list[Cohort]:
    first = deals.first_registration_by_org()
    month = month_of(Application.decided_at)
    rows = db.session.execute(
        sa.select(month, sa.func.count(Application.id), sa.func.count(first.c.first_at),
                  sa.func.count(Onboarding.completed_at),
                  sa.func.avg(days_between(Application.at, Application.decided_at)),
                  sa.func.avg(days_between(Application.decided_at, first.c.first_at)),
                  sa.func.avg(days_between(Application.decided_at, Onboarding.completed_at)))
        .outerjoin(first, first.c.org_id == Application.org_id)
        .outerjoin(Onboarding, Onboarding.org_id == Application.org_id)
        .where(Application.status == ApplicationStatus.approved)
        .group_by(month).order_by(month.desc()).limit(limit)).all()
    return [Cohort(*row) for row in rows]
