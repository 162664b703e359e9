"""Building deal registrations for tests."""
from datetime import timedelta

from portal.core import clock
from portal.deals import services
from portal.deals.models import DealStage

def deal_input(product_ids, **overrides) -> services.DealInput:
    """A registration for a made-up customer that nothing in the demo data resembles."""
    values = dict(
        customer_company="Quokka Analytics GmbH", customer_website="quokka-analytics.example",
        contact_name="Quinn Q", contact_email="quinn@quokka-analytics.example", contact_phone="+49 30 5550 1234",
        country="DE", product_ids=list(product_ids), amount=42_000, currency="EUR",
        close_date=clock.now().date() + timedelta(days=60), stage=DealStage.proposal, notes="Needs backup for 40 sites.",
    )
    values.update(overrides)
    return services.DealInput(**values)


def form_data(product_ids, **overrides) -> dict:
    """The registration form as a browser posts it."""
    data = {
        "customer_company": "Quokka Analytics GmbH", "customer_website": "quokka-analytics.example",
        "contact_name": "Quinn Q", "contact_email": "quinn@quokka-analytics.example",
        "contact_phone": "+49 30 5550 1234", "country": "DE", "product_ids": [str(p) for p in product_ids],
        "amount": "42000", "currency": "EUR", "close_date": (clock.now().date() + timedelta(days=60)).isoformat(),
        "stage": "proposal", "notes": "", "action": "submit",
    }
    data.update(overrides)
    return data
