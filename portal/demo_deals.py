"""Deal registration's demo data, and generated deals for benchmarks.

`seed_demo_deals` registers the README's demo deals through the real services with the
clock moved back, so every deal has a believable history: its audit timeline, the channel
team's decisions, and the reminders and expiry notices `cli.py tick` sends.
`seed_generated_deals` bulk-inserts many deals for load tests, their match keys computed
exactly as the services compute them.
"""
import heapq
import itertools
import random
import unicodedata
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from portal.core import clock
from portal.core.models import Organization, OrgKind, Product, Region, Role, User
from portal.deals import matching, services
from portal.deals.matching import Claim, Level
from portal.deals.models import Deal, DealStage, DealStatus, deal_products
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


GOLD_SALES, GOLD_ADMIN, SILVER_SALES = "sales@gold.demo", "admin@gold.demo", "sales@silver.demo"
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
]


def seed_demo_deals() -> None:
    """The house account and DEMO_DEALS, each step run at its moment in the past."""
    _DemoHistory().run()


class _DemoHistory:
    """Runs the demo's steps in time order, each with the clock moved back to its moment.
    `cli.py tick` runs whenever it has something to do: when a reminder falls due and when a
    protection ends, as the real one (run every few minutes) would."""

    def __init__(self):
        emails = {HOUSE_ACCOUNT_OWNER, DECIDER, *(spec.owner for spec in DEMO_DEALS)}
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
            stage=spec.stage, notes=spec.notes,
        )


# --- Generated deals for benchmarks ------------------------------------------------------

# Company names: a few very common first words (their token lookups exceed matching.TOO_MANY),
# 300 place-like words (dozens of rows each in 100,000 deals), and a long tail of coined names.
COMMON_TOKENS = ["Global", "First", "United", "National", "Pacific", "Atlantic", "Metro", "Premier",
                 "American", "Northern", "Central", "Allied"]
PLACE_STARTS = ["Ash", "Brook", "Clear", "Elm", "Fair", "Glen", "Hart", "Holly", "Kings", "Lang", "Marsh",
                "Oak", "Pine", "Red", "Rock", "Rose", "Stone", "West", "Wood", "Wil"]
PLACE_ENDS = ["field", "ford", "wood", "ton", "dale", "bridge", "haven", "mere", "well", "by", "gate",
              "stead", "worth", "more", "brook"]
COINED_STARTS = ["Al", "Bel", "Cor", "Dra", "El", "Fen", "Gar", "Hal", "Ith", "Jor", "Kel", "Lum", "Mar",
                 "Nor", "Or", "Pel", "Quin", "Ros", "Sel", "Tor", "Ul", "Val", "Wen", "Xan", "Yor", "Zel"]
COINED_VOWELS = ["a", "e", "i", "o", "u", "ia", "io", "ea"]
COINED_CORES = ["bri", "cas", "dan", "fer", "gol", "lin", "mor", "nex", "ran", "sor", "tal", "ven", "vis",
                "wyn", "zar", "quor"]
COINED_ENDS = ["", "a", "ex", "on", "is", "ix", "um", "ia", "en", "o"]
COMMON_SHARE, PLACE_SHARE = 0.12, 0.12
NOUNS = ["Logistics", "Health", "Foods", "Capital", "Energy", "Manufacturing", "Dental", "Clinics",
         "Insurance", "Media", "Hotels", "Retail", "Pharma", "Robotics", "Engineering", "Construction",
         "Airlines", "Utilities", "Software", "Analytics", "Textiles", "Motors", "Farms", "Labs", "Partners",
         "Holdings", "Group", "Systems", "Shipping", "Bank", "Credit Union", "Legal", "Foundry", "Biotech",
         "Telecom", "Realty", "Outfitters", "Brewing", "Studios", "Networks"]
FIRST_NAMES = ["Alex", "Maria", "James", "Aisha", "Wei", "Sofia", "Liam", "Noor", "Lucas", "Emma", "Mateo",
               "Hana", "Oliver", "Chloe", "Arjun", "Elena", "Kofi", "Ingrid", "Diego", "Yuki", "Sara", "Tomás"]
LAST_NAMES = ["Smith", "Garcia", "Müller", "Okafor", "Chen", "Rossi", "Novak", "Silva", "Tanaka", "Dubois",
              "Kowalski", "Jensen", "Patel", "Murphy", "Haddad", "Larsen", "Moreau", "Costa", "Singh", "Walsh"]
FREE_MAIL = ["gmail.com", "outlook.com", "yahoo.co.uk", "web.de"]
# country: (calling code, currency, USD exchange rate, legal suffixes)
COUNTRIES = {
    "US": ("1", "USD", 1, ["Inc.", "LLC", "Corp.", ""]), "CA": ("1", "CAD", 1.35, ["Inc.", "Ltd.", ""]),
    "GB": ("44", "GBP", 0.8, ["Ltd", "PLC", ""]), "IE": ("353", "EUR", 0.92, ["Ltd", "DAC", ""]),
    "DE": ("49", "EUR", 0.92, ["GmbH", "AG", "GmbH & Co. KG"]), "FR": ("33", "EUR", 0.92, ["SA", "SAS", ""]),
    "NL": ("31", "EUR", 0.92, ["B.V.", "N.V.", ""]), "ES": ("34", "EUR", 0.92, ["S.L.", "S.A.", ""]),
    "IT": ("39", "EUR", 0.92, ["S.p.A.", "S.r.l.", ""]), "SE": ("46", "SEK", 10.5, ["AB", ""]),
    "DK": ("45", "DKK", 6.9, ["ApS", "A/S", ""]), "PL": ("48", "PLN", 4.0, ["Sp. z o.o.", "S.A.", ""]),
    "CH": ("41", "CHF", 0.88, ["AG", "SA", ""]), "AU": ("61", "AUD", 1.5, ["Pty Ltd", ""]),
    "SG": ("65", "SGD", 1.35, ["Pte. Ltd.", ""]), "JP": ("81", "JPY", 150, ["K.K.", ""]),
    "IN": ("91", "INR", 83, ["Pvt. Ltd.", "Ltd", ""]), "BR": ("55", "BRL", 5.0, ["Ltda.", "S.A.", ""]),
    "MX": ("52", "USD", 1, ["S.A. de C.V.", ""]), "CL": ("56", "USD", 1, ["SpA", "S.A.", ""]),
}
REGION_COUNTRIES = {
    Region.NA: ["US"] * 5 + ["CA"],
    Region.EMEA: ["GB", "GB", "DE", "DE", "FR", "NL", "IE", "ES", "IT", "SE", "DK", "PL", "CH"],
    Region.APAC: ["AU", "AU", "SG", "JP", "IN"],
    Region.LATAM: ["BR", "BR", "MX", "CL"],
}
NOTES = ["Renewal of a competitor contract in Q3.", "Customer asked for a proof of concept.",
         "Budget approved; waiting on procurement.", "Replaces legacy tape backups.",
         "Part of a data-centre exit.", "Security audit finding drives the project.", "Expansion to new sites.",
         "Three-year term under discussion.", ""]
REJECTION_REASONS = ["Another partner holds a protected registration for this customer.",
                     "No confirmed project or budget yet.", "Below the minimum deal size for registration.",
                     "The customer is buying directly from Acme this year."]


def _odds(**weights: int) -> tuple[list[DealStatus], list[int]]:
    return [DealStatus[name] for name in weights], list(itertools.accumulate(weights.values()))


# (younger than so many days, the odds of each status)
STATUS_ODDS = [
    (7, _odds(draft=25, submitted=60, approved=10, rejected=5)),
    (90, _odds(approved=55, won=12, lost=8, rejected=7, submitted=3, draft=15)),
    (float("inf"), _odds(won=35, lost=27, expired=28, rejected=6, draft=4)),
]
SPAN_DAYS = 730  # generated deals were registered over the last two years
REPEAT_SHARE = 0.03  # the same customer registered again (often by another partner)
RECENT_REPEAT_SHARE = 0.5  # ... of which this share repeats one of the latest 2% of registrations
WEBSITE_SHARE, FREE_MAIL_SHARE, PHONE_SHARE = 0.85, 0.05, 0.8
GENERATED_DEALS_CHUNK = 1000


def random_customer(rng: random.Random, country: str | None = None) -> dict:
    """A made-up customer as the registration form's fields (company, website, contact...)."""
    country = country or rng.choice(list(COUNTRIES))
    calling, _, _, suffixes = COUNTRIES[country]
    roll = rng.random()
    if roll < COMMON_SHARE:
        words = [rng.choice(COMMON_TOKENS), _place(rng)]
    elif roll < COMMON_SHARE + PLACE_SHARE:
        words = [_place(rng)]
    else:
        words = [_coined(rng)]
    words.append(rng.choice(NOUNS))
    slug = "-".join(words).lower().replace(" ", "-")
    domain = rng.choice([f"{slug}.example", f"{slug.replace('-', '')}.example", f"{slug}-{country.lower()}.example"])
    contact, email = _contact(rng, domain)
    phone = f"+{calling} {rng.randint(20, 999)} 555 {rng.randint(0, 9999):04d}" if rng.random() < PHONE_SHARE else None
    return {
        "customer_company": " ".join([*words, rng.choice(suffixes)]).strip(),
        "customer_website": domain if rng.random() < WEBSITE_SHARE else None,
        "contact_name": contact, "contact_email": email, "contact_phone": phone, "country": country,
    }


def random_registration(rng: random.Random, product_ids: list[int]) -> dict:
    """The registration form filled in for a made-up customer, as a browser posts it."""
    customer = random_customer(rng)
    return {key: value or "" for key, value in customer.items()} | {
        "product_ids": [str(p) for p in rng.sample(product_ids, min(len(product_ids), rng.randint(1, 2)))],
        "amount": str(_amount(rng, customer["country"])), "currency": COUNTRIES[customer["country"]][1],
        "close_date": (clock.now().date() + timedelta(days=rng.randint(30, 200))).isoformat(),
        "stage": rng.choice([DealStage.qualified, DealStage.proposal]).value, "notes": rng.choice(NOTES),
    }


def _amount(rng: random.Random, country: str) -> int:
    """From about 5,000 to 2,000,000 USD, in the country's currency."""
    return max(100, int(round(10 ** rng.uniform(3.7, 6.3) * COUNTRIES[country][2], -2)))


def _contact(rng: random.Random, domain: str | None) -> tuple[str, str]:
    """A contact's name and email: at the customer's domain, now and then at a free-mail one."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    local = f"{_ascii(first)}.{_ascii(last)}".lower()
    if domain is None or rng.random() < FREE_MAIL_SHARE:
        return f"{first} {last}", f"{local.replace('.', '')}{rng.randint(1, 99)}@{rng.choice(FREE_MAIL)}"
    return f"{first} {last}", f"{local}@{domain}"


def _place(rng: random.Random) -> str:
    return rng.choice(PLACE_STARTS) + rng.choice(PLACE_ENDS)


def _coined(rng: random.Random) -> str:
    return rng.choice(COINED_STARTS) + rng.choice(COINED_VOWELS) + rng.choice(COINED_CORES) + rng.choice(COINED_ENDS)


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()


def customer_keys(customer: dict) -> matching.Keys:
    """A customer's match keys (the form's field names), as the services compute them."""
    website = customer["customer_website"] or customer["contact_email"]
    return matching.keys_for(matching.Customer(customer["customer_company"], website, customer["contact_email"],
                                               customer["contact_phone"]))


def seed_generated_deals(count: int) -> int:
    """Add `count` generated deals by bulk insert, for benchmarks: registered over SPAN_DAYS
    by the generated partners' users (or the demo partners'), oldest first, each with the
    status its age makes likely and the conflict check's answer at its registration.
    No audit events or notifications."""
    rng = random.Random(count)
    owners = _generated_owners()
    product_ids = list(db.session.scalars(sa.select(Product.id).order_by(Product.id)))
    decider_id = db.session.scalar(sa.select(User.id).where(User.role == Role.channel_manager)
                                   .order_by(User.id).limit(1))
    now = clock.now()
    earlier: list[tuple[int, GeneratedDeal]] = []  # inserted so far: registrations to repeat
    with _large_sqlite_cache():
        for first in range(0, count, GENERATED_DEALS_CHUNK):
            deals = []
            for number in range(first, min(first + GENERATED_DEALS_CHUNK, count)):
                # oldest first, each in its own slot of time: created_at increases strictly
                age = timedelta(days=SPAN_DAYS * (1 - (number + rng.random()) / count))
                deals.append(_generated_deal(rng, earlier, owners, product_ids, now - age, now, decider_id))
            ids = _insert_returning_ids([deal.row for deal in deals])
            db.session.execute(sa.insert(deal_products), [{"deal_id": deal_id, "product_id": product_id}
                                                          for deal_id, deal in zip(ids, deals)
                                                          for product_id in deal.product_ids])
            earlier.extend(zip(ids, deals))
    db.session.commit()
    return count


def _insert_returning_ids(rows: list[dict]) -> list[int]:
    """Insert the rows; their ids in the rows' order. SQLite may return RETURNING's rows in
    any order, and asking SQLAlchemy to sort them makes it insert one row per statement, so
    sort by created_at, which increases strictly with the rows' order (see the caller)."""
    table = Deal.__table__
    returned = db.session.execute(sa.insert(table).returning(table.c.id, table.c.created_at), rows).all()
    return [deal_id for deal_id, _ in sorted(returned, key=lambda row: row.created_at)]


@contextmanager
def _large_sqlite_cache(mebibytes: int = 256):
    """SQLite's default page cache (2 MiB) makes inserts into big indexes read pages from disk."""
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    previous = db.session.scalar(sa.text("PRAGMA cache_size")) if sqlite else None
    if sqlite:
        db.session.execute(sa.text(f"PRAGMA cache_size = -{mebibytes * 1024}"))
    try:
        yield
    finally:
        if sqlite:
            db.session.execute(sa.text(f"PRAGMA cache_size = {int(previous)}"))


def _generated_owners() -> list[tuple[int, int, Region]]:
    """(user id, org id, region) of the generated partners' people, else of the demo partners'."""
    stmt = sa.select(User.id, User.org_id, Organization.region).join(Organization, User.org).where(
        Organization.kind == OrgKind.partner).order_by(User.id)
    generated = db.session.execute(stmt.where(User.email.like("%@generated.demo"))).all()
    return generated or db.session.execute(stmt).all()


FOREVER = datetime.max


@dataclass
class GeneratedDeal:
    customer: dict
    keys: matching.Keys
    product_ids: frozenset[int]
    row: dict
    claims_until: datetime  # when it stopped claiming its customer (rejected, lost, expired)
    protected_until: datetime  # when it stopped holding it (also closed won)

    def claim_at(self, deal_id: int, when: datetime) -> Claim | None:
        """The deal as a conflict check at `when` saw it, if it claimed its customer then."""
        registered = self.row["submitted_at"]
        if registered is None or not registered <= when < self.claims_until:
            return None
        return Claim(deal_id, self.keys, self.product_ids, registered, protected=when < self.protected_until)


def _generated_deal(rng: random.Random, earlier: list[tuple[int, GeneratedDeal]], owners: list,
                    product_ids: list[int], created: datetime, now: datetime, decider_id: int | None) -> GeneratedDeal:
    owner_id, org_id, region = rng.choice(owners)
    submitted = created + min(timedelta(days=rng.uniform(0, 2)), (now - created) / 2)
    claims = []
    if earlier and rng.random() < REPEAT_SHARE:  # a customer registered before, often by another partner
        recent = rng.random() < RECENT_REPEAT_SHARE  # partners chasing the same opportunity at once
        holder_id, holder = rng.choice(earlier[-len(earlier) // 50:] if recent else earlier)
        contact, email = _contact(rng, holder.keys.domain)  # someone else at the same company
        customer = dict(holder.customer, contact_name=contact, contact_email=email)
        claims = [claim for claim in [holder.claim_at(holder_id, submitted)] if claim]
    else:
        customer = random_customer(rng, rng.choice(REGION_COUNTRIES[region or Region.NA]))
    keys = customer_keys(customer)
    products = frozenset(rng.sample(product_ids, min(len(product_ids), rng.choice((1, 1, 2, 2, 3)))))
    assessment = matching.assess(keys, products, claims)

    status = _status_for_age(rng, (now - created).days)
    if assessment.level is Level.red and status not in (DealStatus.draft, DealStatus.submitted):
        status = DealStatus.rejected  # the channel team turns down the second registration
    decided = submitted + min(timedelta(days=rng.uniform(0.05, 4)), (now - submitted) / 2)
    protected_until = decided + timedelta(days=90)
    if status is DealStatus.approved and protected_until <= now:
        status = DealStatus.expired
    closed = decided + (min(protected_until, now) - decided) * rng.uniform(0.2, 0.9)
    claims_until, holds_until = {
        DealStatus.draft: (None, None), DealStatus.submitted: (FOREVER, FOREVER),
        DealStatus.rejected: (decided, decided), DealStatus.approved: (FOREVER, FOREVER),
        DealStatus.expired: (protected_until, protected_until), DealStatus.lost: (closed, closed),
        DealStatus.won: (FOREVER, closed),
    }[status]
    registered = status is not DealStatus.draft
    decided_on = status not in (DealStatus.draft, DealStatus.submitted)
    holder = assessment.holder
    currency = COUNTRIES[customer["country"]][1]
    row = customer | {
        "key_company": keys.company, "key_token": keys.company_token, "key_domain": keys.domain,
        "key_email": keys.email, "key_phone": keys.phone, "org_id": org_id, "owner_id": owner_id,
        "amount": _amount(rng, customer["country"]), "currency": currency,
        "close_date": (created + timedelta(days=rng.randint(20, 200))).date(),
        "stage": _stage_for(rng, status), "notes": rng.choice(NOTES), "status": status,
        "submitted_at": submitted if registered else None,
        "decided_at": decided if decided_on else None, "decided_by_id": decider_id if decided_on else None,
        "rejection_reason": _rejection_reason(rng, assessment) if status is DealStatus.rejected else None,
        "protected_until": protected_until if decided_on and status is not DealStatus.rejected else None,
        "reminded_days": _reminded(protected_until - now) if status is DealStatus.approved else None,
        "conflict_level": assessment.level if registered else None,
        "conflict_reasons": ",".join(reason.name for reason in assessment.reasons) if registered else "",
        "conflict_deal_id": holder.id if registered and holder else None, "conflict_house_id": None,
        "created_at": created,
        "updated_at": closed if status in (DealStatus.won, DealStatus.lost) else decided if decided_on
        else submitted if registered else created,
    }
    return GeneratedDeal(customer, keys, products, row, claims_until, holds_until)


def _status_for_age(rng: random.Random, days: int) -> DealStatus:
    statuses, cum_weights = next(odds for younger_than, odds in STATUS_ODDS if days < younger_than)
    return rng.choices(statuses, cum_weights=cum_weights)[0]


def _stage_for(rng: random.Random, status: DealStatus) -> DealStage:
    if status is DealStatus.won:
        return DealStage.commit
    if status in (DealStatus.draft, DealStatus.submitted, DealStatus.rejected):
        return rng.choice([DealStage.prospecting, DealStage.qualified, DealStage.proposal])
    return rng.choice([DealStage.proposal, DealStage.negotiation, DealStage.commit])


def _rejection_reason(rng: random.Random, assessment: matching.Assessment) -> str:
    return REJECTION_REASONS[0] if assessment.level is Level.red else rng.choice(REJECTION_REASONS[1:])


def _reminded(left: timedelta) -> int | None:
    """The last expiry reminder `cli.py tick` has sent, with `left` to go."""
    return next((days for days in sorted(services.REMINDER_DAYS) if left <= timedelta(days=days)), None)
