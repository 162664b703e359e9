"""Deal registration's demo data.

`seed_demo_deals` registers the README's demo deals through the real services with the
clock moved back, so every deal has a believable history: its audit timeline, the channel
team's decisions, and the reminders and expiry notices `cli.py tick` sends.
"""
import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from portal.core import clock
from portal.core.models import Product, User
from portal.deals import services
from portal.deals.models import Deal, DealStage
from portal.extensions import db

# --- The fixed demo ----------------------------------------------------------------------

DECIDER = "channel@vendor.demo"  # the channel manager who approves and rejects
HOUSE_ACCOUNT_OWNER = "admin@vendor.demo"
HOUSE_ACCOUNT = ("Northwind Traders", "northwind.example")
HOUSE_ACCOUNT_DAYS_AGO = 400
TICK_INTERVAL = timedelta(minutes=15)  # how often cron runs `cli.py tick`


@dataclass(frozen=True)
class DemoDeal:
    owner: str  # email of the partner user who registers it
    company: str
    website: str | None
    contact: str
    email: str | None
    phone: str | None
    country: str
    products: tuple[str, ...]
    amount: int
    currency: str
    stage: DealStage
    close_in: int  # days from registration to the expected close date
    notes: str
    # (days ago, step[, text]), oldest first; steps: draft, register (create and submit),
    # submit, approve, reject (text: the reason), won, lost, extend (text: the reason)
    history: tuple[tuple, ...]
    name_distributor: bool = False  # the owner's org lets its distributor follow the deal
    registered_by: str | None = None  # email of the distributor's person who registers it for the owner's org


GOLD_SALES, GOLD_ADMIN, SILVER_SALES = "sales@gold.demo", "admin@gold.demo", "sales@silver.demo"
KESTREL_ADMIN, TIER2_ADMIN = "admin@registered.demo", "admin@tier2.demo"
DISTRIBUTOR_ADMIN = "admin@distributor.demo"  # Meridian Distribution, Lakeside Tech's distributor
CONFLICT_CUSTOMER = "Bluewater Logistics"  # Gold holds it; Silver registers it too (red)

DEMO_DEALS = [
    # Summit Peak Systems (Gold, NA)
    DemoDeal(GOLD_SALES, "Bluewater Logistics Inc.", "bluewater-logistics.example", "Dana Whitfield",
             "dana.whitfield@bluewater-logistics.example", "+1 312 555 0148", "US",
             ("Acme Cloud Platform", "Acme Backup"), 184_000, "USD", DealStage.negotiation, 75,
             "Consolidating three data centres into one; backup for 1,200 VMs.",
             ((21.2, "register"), (20.4, "approve"))),
    DemoDeal(GOLD_SALES, "Cascade Regional Health", "cascadehealth.example", "Marcus Bell",
             "marcus.bell@cascadehealth.example", "+1 503 555 0112", "US", ("Acme Backup", "Acme Identity"),
             96_500, "USD", DealStage.commit, 100,
             "Ransomware recovery project after an audit finding; purchase order expected this month.",
             ((81.5, "register"), (80.3, "approve"))),
    DemoDeal(GOLD_SALES, "Ironbridge Credit Union", "ironbridge-cu.example", "Alicia Moreno",
             "amoreno@ironbridge-cu.example", "+1 614 555 0190", "US", ("Acme Secure Edge", "Acme Identity"),
             142_000, "USD", DealStage.negotiation, 80,
             "Replacing the branch VPN for 38 branches; security review passed.",
             ((86.4, "register"), (85.2, "approve"),
              (6.3, "extend", "The board moved its approval to next quarter's meeting; the customer confirmed "
                              "the budget in writing."))),
    DemoDeal(GOLD_SALES, "Maplewood School District", "maplewood-schools.example", "Jordan Pike",
             "jpike@maplewood-schools.example", "+1 608 555 0175", "US", ("Acme Cloud Platform",),
             58_000, "USD", DealStage.qualified, 120,
             "E-rate funded; moving student information systems off ageing on-prem servers.",
             ((1.5, "draft"), (0.25, "submit"))),
    DemoDeal(GOLD_SALES, "Lakeshore Foods Co.", "lakeshorefoods.example", "Priya Raman",
             "priya.raman@lakeshorefoods.example", "+1 416 555 0133", "CA", ("Acme Analytics", "Acme Cloud Platform"),
             212_000, "CAD", DealStage.proposal, 90,
             "Demand forecasting for 14 plants; the CFO sponsors it.",
             ((3.2, "register"),)),
    DemoDeal(GOLD_ADMIN, "Northwind Traders Ltd", "northwind.example", "Nina Olsen",
             "nina.olsen@northwind.example", "+1 206 555 0161", "US", ("Acme Observability",),
             75_000, "USD", DealStage.qualified, 60,
             "Met them at a trade show; they want observability for their e-commerce platform.",
             ((1.1, "register"),)),
    DemoDeal(GOLD_SALES, "Tidewater Marine Services", "tidewatermarine.example", "Ben Carver",
             "ben@tidewatermarine.example", "+1 757 555 0127", "US", ("Acme Secure Edge",),
             41_000, "USD", DealStage.prospecting, 150, "First meeting booked; six ports, one IT person.",
             ((2.3, "draft"),)),
    DemoDeal(GOLD_SALES, "Redstone Mining Corp", "redstonemining.example", "Ellen Fraser",
             "efraser@redstonemining.example", "+1 780 555 0109", "CA", ("Acme Cloud Platform", "Acme Observability"),
             320_000, "CAD", DealStage.proposal, 420, "Early talks about moving the mine-site systems to the cloud.",
             ((33.4, "register"),
              (31.6, "reject", "No confirmed project or budget yet. Register it again once the customer has a "
                               "sponsor and a timeline."))),
    DemoDeal(GOLD_SALES, "Quarry Hill Insurance", "quarryhill.example", "Tom Okoro",
             "tom.okoro@quarryhill.example", "+1 860 555 0184", "US", ("Acme Identity", "Acme Secure Edge"),
             128_000, "USD", DealStage.commit, 50, "Passwordless sign-in for 2,400 agents.",
             ((62.3, "register"), (61.5, "approve"), (12.2, "won"))),
    DemoDeal(GOLD_SALES, "Prairie Wind Energy", "prairiewind.example", "Karen Lutz",
             "klutz@prairiewind.example", "+1 515 555 0143", "US", ("Acme Analytics",),
             67_000, "USD", DealStage.proposal, 45, "Turbine telemetry dashboards; competing with Quantra BI.",
             ((48.6, "register"), (47.2, "approve"), (7.4, "lost"))),
    DemoDeal(GOLD_SALES, "Copperleaf Hotels", "copperleafhotels.example", "Rafael Ortiz",
             "rortiz@copperleafhotels.example", "+1 702 555 0116", "US", ("Acme Cloud Platform", "Acme Backup"),
             155_000, "USD", DealStage.negotiation, 75, "Property management systems for 22 hotels.",
             ((101.4, "register"), (100.3, "approve"))),
    # Harborline IT (Silver, EMEA, MSP)
    DemoDeal(SILVER_SALES, CONFLICT_CUSTOMER, "www.bluewater-logistics.example", "Oliver Grant",
             "oliver.grant@bluewater-logistics.example", "+44 20 7946 0321", "GB", ("Acme Backup",),
             64_000, "GBP", DealStage.qualified, 90, "The UK subsidiary wants managed backup for its warehouses.",
             ((0.3, "register"),)),
    DemoDeal(SILVER_SALES, "Fjordline Shipping AS", "fjordline.example", "Ingrid Solberg",
             "ingrid.solberg@fjordline.example", "+47 22 55 01 84", "NO", ("Acme Observability", "Acme Cloud Platform"),
             890_000, "NOK", DealStage.prospecting, 180, "Fleet tracking platform; still gathering requirements.",
             ((0.9, "draft"),)),
    DemoDeal(SILVER_SALES, "Altstadt Brauerei GmbH", "altstadt-brauerei.example", "Jonas Weber",
             "j.weber@altstadt-brauerei.example", "+49 89 5550 2210", "DE", ("Acme Secure Edge", "Acme Identity"),
             48_000, "EUR", DealStage.qualified, 70, "Secure remote access for four breweries and the head office.",
             ((1.4, "register"),)),
    DemoDeal(SILVER_SALES, "Kilkenny Precision Engineering", "kilkennyprecision.example", "Aoife Brennan",
             "aoife.brennan@kilkennyprecision.example", "+353 56 555 0192", "IE",
             ("Acme Cloud Platform", "Acme Observability"), 118_000, "EUR", DealStage.negotiation, 60,
             "Managed platform for CAD and ERP workloads; three-year term.",
             ((31.3, "register"), (29.6, "approve"))),
    DemoDeal(SILVER_SALES, "Rivage Hôtels SA", "rivage-hotels.example", "Camille Laurent",
             "c.laurent@rivage-hotels.example", "+33 4 91 55 01 34", "FR", ("Acme Backup",),
             6_500, "EUR", DealStage.prospecting, 30, "Backup for a single boutique hotel.",
             ((22.5, "register"),
              (21.2, "reject", "Below the 10,000 EUR minimum for deal registration; quote it from the standard "
                               "MSP price list."))),
    DemoDeal(SILVER_SALES, "Dunmore Veterinary Group", "dunmorevets.example", "Fiona Walsh",
             "fiona.walsh.dvg@gmail.com", "+44 28 9055 0137", "GB", ("Acme Backup", "Acme Identity"),
             39_000, "GBP", DealStage.commit, 55, "Nine clinics; practice management system backups.",
             ((70.2, "register"), (69.1, "approve"), (15.3, "won"))),
    DemoDeal(SILVER_SALES, "Van der Berg Logistiek B.V.", "vanderberg-logistiek.example", "Pieter de Vries",
             "p.devries@vanderberg-logistiek.example", "+31 10 555 0178", "NL", ("Acme Cloud Platform",),
             230_000, "EUR", DealStage.proposal, 50, "Warehouse management migration; the incumbent cut its price.",
             ((55.2, "register"), (54.3, "approve"), (9.1, "lost"))),
    DemoDeal(SILVER_SALES, "Sørensen Tandklinik ApS", "sorensen-tand.example", "Mette Sørensen",
             "mette@sorensen-tand.example", "+45 33 55 01 26", "DK", ("Acme Backup",),
             210_000, "DKK", DealStage.negotiation, 60, "Patient records backup for 12 dental clinics.",
             ((96.3, "register"), (95.4, "approve"))),
    # Kestrel Referral Co (Registered, APAC): two referrals won, one open: winning it would make Silver
    DemoDeal(KESTREL_ADMIN, "Orchard Valley Clinics", "orchardvalley.example", "Hana Sato",
             "hana.sato@orchardvalley.example", "+61 2 5550 1172", "AU", ("Acme Backup",),
             18_500, "USD", DealStage.commit, 45, "Referred by their IT contractor; backup for four clinics.",
             ((101.2, "register"), (100.1, "approve"), (60.4, "won"))),
    DemoDeal(KESTREL_ADMIN, "Tidewater Marine Supply", "tidewater-marine.example", "Liam Chen",
             "liam.chen@tidewater-marine.example", "+64 9 555 0143", "NZ", ("Acme Identity",),
             15_000, "USD", DealStage.commit, 40, "Single sign-on for the chandlery chain; referral fee agreed.",
             ((76.3, "register"), (75.2, "approve"), (30.1, "won"))),
    DemoDeal(KESTREL_ADMIN, "Harbourview Dental", "harbourview-dental.example", "Grace Tan",
             "grace.tan@harbourview-dental.example", "+61 3 5550 1190", "AU", ("Acme Backup",),
             12_000, "USD", DealStage.negotiation, 30, "Six practices; the owner wants off tape backups.",
             ((12.4, "register"), (11.3, "approve"))),
    # Lakeside Tech (Registered, EMEA, Meridian's reseller): enough for Silver, so the promotion waits for review.
    # Two of its deals name Meridian, which follows them; Meridian registered one for it and sees the rest
    # but the draft; Lakeside never sees Meridian's own deal. Only the first two count for the program.
    DemoDeal(TIER2_ADMIN, "Alpenblick Hotels GmbH", "alpenblick-hotels.example", "Katharina Huber",
             "k.huber@alpenblick-hotels.example", "+43 512 555 0127", "AT", ("Acme Cloud Platform",),
             38_000, "EUR", DealStage.commit, 60, "Reservation systems for five hotels in Tyrol.",
             ((44.2, "register"), (43.1, "approve"), (18.3, "won")), name_distributor=True),
    DemoDeal(TIER2_ADMIN, "Nordsee Fisch AG", "nordsee-fisch.example", "Jan Petersen",
             "j.petersen@nordsee-fisch.example", "+49 40 555 0162", "DE", ("Acme Backup",),
             14_000, "EUR", DealStage.proposal, 45, "Backup for the processing plant and two depots.",
             ((16.2, "register"), (15.1, "approve")), name_distributor=True),
    DemoDeal(TIER2_ADMIN, "Castellan Legal LLP", "castellan-legal.example", "Oscar Finch",
             "ofinch@castellan-legal.example", "+44 20 7946 0815", "GB", ("Acme Backup", "Acme Identity"),
             36_000, "GBP", DealStage.qualified, 60, "Document archive backup; a direct order, no distributor.",
             ((2.2, "register"),)),
    DemoDeal(TIER2_ADMIN, "Hollis & Crane Architects", "hollis-crane.example", "Maeve Hollis",
             "maeve@hollis-crane.example", "+353 1 555 0166", "IE", ("Acme Cloud Platform",),
             52_000, "EUR", DealStage.proposal, 70, "Rendering farm in the cloud; Meridian found the lead.",
             ((1.2, "register"),), registered_by=DISTRIBUTOR_ADMIN),
    DemoDeal(TIER2_ADMIN, "Ostara Bakeries Ltd", "ostara-bakeries.example", "Tom Ashby",
             "tom.ashby@ostara-bakeries.example", "+44 117 555 0190", "GB", ("Acme Analytics",),
             21_000, "GBP", DealStage.prospecting, 120, "Sales dashboards for 30 shops; first call next week.",
             ((0.6, "draft"),)),
    # Meridian Distribution's own deal
    DemoDeal(DISTRIBUTOR_ADMIN, "Alpenrand Logistik GmbH", "alpenrand-logistik.example", "Stefan Brandl",
             "s.brandl@alpenrand-logistik.example", "+49 89 5550 3377", "DE", ("Acme Cloud Platform", "Acme Backup"),
             410_000, "EUR", DealStage.negotiation, 90, "Meridian sells direct to this key account.",
             ((25.3, "register"), (24.1, "approve"))),
]


def seed_demo_deals() -> None:
    """The house account and DEMO_DEALS, each step run at its moment in the past."""
    _DemoHistory().run()


class _DemoHistory:
    """Runs the demo's steps in time order, each with the clock moved back to its moment.
    `cli.py tick` runs whenever it has something to do: when a reminder falls due and when a
    protection ends, as the real one (run every few minutes) would."""

    def __init__(self):
        emails = {HOUSE_ACCOUNT_OWNER, DECIDER, *(spec.owner for spec in DEMO_DEALS),
                  *(spec.registered_by for spec in DEMO_DEALS if spec.registered_by)}
        self.users = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_(emails)))}
        self.products = dict(db.session.execute(sa.select(Product.name, Product.id)).all())
        self.deals: dict[str, Deal] = {}
        self.now = clock.now()
        self.queue: list[tuple[float, int, Callable, tuple]] = []  # (-days ago, order, step, args)
        self.order = itertools.count()  # steps at the same moment run in the order they were scheduled

    def run(self) -> None:
        self._schedule(HOUSE_ACCOUNT_DAYS_AGO, self._add_house_account)
        for spec in DEMO_DEALS:
            for days_ago, action, *text in spec.history:
                self._schedule(days_ago, self._step, spec, action, *text)
        while self.queue:
            minus_days_ago, _, step, args = heapq.heappop(self.queue)
            with clock.travel(timedelta(days=minus_days_ago)):
                step(*args)
                db.session.flush()  # column defaults (created_at, audit times) read the moved clock

    def _schedule(self, days_ago: float, step: Callable, *args) -> None:
        heapq.heappush(self.queue, (-days_ago, next(self.order), step, args))

    def _schedule_ticks(self, protected_until: datetime) -> None:
        """The ticks that send this approval's reminders and expire it, those in the past."""
        moments = [protected_until - timedelta(days=days) for days in services.REMINDER_DAYS]
        for moment in [*moments, protected_until + TICK_INTERVAL]:
            if moment < self.now:
                self._schedule((self.now - moment) / timedelta(days=1), self._tick)

    def _add_house_account(self) -> None:
        services.add_house_account(self.users[HOUSE_ACCOUNT_OWNER], *HOUSE_ACCOUNT)

    @staticmethod
    def _tick() -> None:
        services.expire_lapsed()
        services.send_reminders()

    def _step(self, spec: DemoDeal, action: str, text: str = "") -> None:
        owner, decider = self.users[spec.owner], self.users[DECIDER]
        if action == "register" and spec.registered_by:
            self.deals[spec.company] = services.register_on_behalf(self.users[spec.registered_by], owner.org, owner,
                                                                   self._input(spec))
            return
        if action in ("draft", "register"):
            self.deals[spec.company] = services.create_deal(owner, self._input(spec), action == "register")
            return
        deal = self.deals[spec.company]
        if action == "submit":
            services.submit(owner, deal)
        elif action == "approve":
            services.approve(decider, deal)
            self._schedule_ticks(deal.protected_until)
        elif action == "reject":
            services.reject(decider, deal, text)
        elif action in ("won", "lost"):
            services.close(owner, deal, won=action == "won")
        elif action == "extend":
            services.request_extension(owner, deal, text)
        else:
            raise ValueError(f"unknown demo deal step {action!r}")

    def _input(self, spec: DemoDeal) -> services.DealInput:
        return services.DealInput(
            customer_company=spec.company, customer_website=spec.website, contact_name=spec.contact,
            contact_email=spec.email, contact_phone=spec.phone, country=spec.country,
            product_ids=[self.products[name] for name in spec.products], amount=spec.amount,
            currency=spec.currency, close_date=clock.now().date() + timedelta(days=spec.close_in),
            stage=spec.stage, notes=spec.notes, name_distributor=spec.name_distributor,
        )
