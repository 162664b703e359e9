"""Two-tier distribution, for a distributor's admins: their resellers, each one's deals (read
only), and registering a deal on a reseller's behalf."""
from flask import flash, redirect, request, url_for
from flask_login import current_user

from portal.assets.services import products
from portal.agreements.gate import agreement_required
from portal.core.access import distributor_admin_required
from portal.deals import services as deals
from portal.deals.models import DealStatus
from portal.core.geography import COUNTRY_NAMES
from portal.program import bp, distribution
from portal.program import standing as standings
from portal.program.distribution_forms import OnBehalfForm
from portal.web.actions import domain_action
from portal.web.htmx import render
from portal.web.pagination import paginate
from portal.web.params import bounded_id, enum_arg


def _page() -> int:
    return request.args.get("page", 1, type=int)


@bp.get("/resellers")
@distributor_admin_required
def resellers():
    page = paginate(distribution.resellers(current_user), _page(), rows=True)
    qualified = standings.qualified_tiers([org for org, *_ in page.items])
    return render("program/resellers.html", "reseller_rows", page=page, qualified=qualified)


@bp.get("/resellers/<int:reseller_id>")
@distributor_admin_required
def reseller(reseller_id: int):
    found = distribution.get_reseller(current_user, reseller_id)
    filters = deals.DealFilters(status=enum_arg(DealStatus, "status"), text=request.args.get("q", "").strip()[:100],
                                org_id=found.id)
    page = paginate(deals.reseller_deal_list(current_user, filters), _page())
    return render("program/resellers_detail.html", "deal_rows", reseller=found, page=page, filters=filters,
                  statuses=[s for s in DealStatus if s is not DealStatus.draft])  # drafts stay the reseller's


@bp.get("/resellers/deals/<int:deal_id>")
@distributor_admin_required
def reseller_deal(deal_id: int):
    deal = deals.get_reseller_deal(current_user, deal_id)
    return render("program/resellers_deal.html", deal=deal, timeline=deals.timeline(deal),
                  country=COUNTRY_NAMES.get(deal.country, deal.country))


def _chosen_reseller():
    """On a post, the reseller the distributor registers for: its agreement counts. One that is
    not the distributor's active reseller, or has no admin (who would own the deal, and accept
    the agreement), is left to the form's own answer (422, saying which)."""
    if request.method != "POST" or not (chosen := request.form.get("reseller_id", type=bounded_id)):
        return None
    reseller = distribution.reseller_for(current_user, chosen)
    return reseller if reseller is not None and distribution.owner_of(reseller) is not None else None


@bp.route("/resellers/register", methods=["GET", "POST"])
@distributor_admin_required
@agreement_required("deals", org_of=_chosen_reseller)
def register_for_reseller():
    form = OnBehalfForm()
    form.set_product_choices(products())
    form.set_reseller_choices(distribution.active_resellers(current_user))
    if not form.is_submitted() and (chosen := request.args.get("reseller", type=bounded_id)):
        form.reseller_id.data = str(chosen)
    if form.validate_on_submit():
        with domain_action(form) as outcome:
            deal = distribution.register_for_reseller(current_user, form.to_input())
        if outcome.ok:
            flash(f"Deal registered for {deal.org.name} and submitted for review.")
            return redirect(url_for("program.reseller_deal", deal_id=deal.id), 303)
    # The conflict check answers as the distributor types (deals.check), as on the reseller's own form.
    return render("program/resellers_register.html", form=form, deal=None, assessment=None, own=None,
                  status=200 if request.method == "GET" else 422)
