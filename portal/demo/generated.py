"""Generated data for benchmarks, by bulk insert: partner orgs with their people
(`seed-demo --partners`), text and Markdown assets (`--assets`) and deal registrations
(`--deals`), their match keys computed exactly as the services compute them."""
import itertools
import random
import secrets
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa

from portal.assets.files import FileKind
from portal.assets.models import Asset, AssetType, AssetVersion
from portal.storage import BlobStore, current_store
from portal.core import clock
from portal.core.access import AudienceSpec, audience_columns
from portal.core.models import (
    Audience, Organization, OrgKind, OrgStatus, PartnerType, Persona, Product, Region, Role, User,
)
from portal.core.passwords import hash_password
from portal.core.tiers import all_tiers
from portal.deals import matching
from portal.deals import services as deal_services
from portal.deals.matching import Claim, Level
from portal.deals.models import Deal, DealStage, DealStatus, deal_products
from portal.demo import DEMO_PASSWORD
from portal.extensions import db
from portal.training.models import Certificate, LearningPath

# --- Generated partners ------------------------------------------------------------------


def seed_generated_partners(count: int) -> int:
    """Add `count` generated partner orgs with three people each, by bulk insert."""
    start = db.session.scalar(sa.select(sa.func.count(Organization.id)))
    tiers, types, regions = all_tiers(), list(PartnerType), list(Region)
    now = clock.now()
    org_rows = [
        {"name": f"Generated Partner {start + i:05d}", "kind": OrgKind.partner, "tier_id": tiers[i % len(tiers)].id,
         "partner_type": types[i % 5], "region": regions[i % 4], "status": OrgStatus.active, "created_at": now}
        for i in range(count)
    ]
    db.session.execute(sa.insert(Organization), org_rows)
    names = [row["name"] for row in org_rows]
    ids = db.session.execute(sa.select(Organization.id, Organization.name).where(Organization.name.in_(names))).all()
    password_hash = hash_password(DEMO_PASSWORD)
    personas = list(Persona)
    user_rows = [
        {"email": f"user{n}.org{org_id}@generated.demo", "name": f"Generated User {org_id}-{n}",
         "org_id": org_id, "role": Role.partner_admin if n == 0 else Role.partner_user,
         "persona": personas[n], "active": True, "password_hash": password_hash,
         "session_token": secrets.token_urlsafe(24), "created_at": now}
        for org_id, _ in ids for n in range(3)
    ]
    db.session.execute(sa.insert(User), user_rows)
    _accept_current_agreement([org_id for org_id, _ in ids], now)
    db.session.commit()
    return count


def _accept_current_agreement(org_ids: list[int], now) -> None:
    """Each generated org's admin accepted the agreement for every type, as the demo's orgs did
    (so pages behind the agreement gate measure the common case)."""
    from portal.agreements.models import EVERY_TYPE, Acceptance, Agreement, AgreementStatus

    current = db.session.scalar(sa.select(Agreement).where(Agreement.scope == EVERY_TYPE,
                                                           Agreement.status == AgreementStatus.published))
    if current is None:
        return
    admins = db.session.execute(sa.select(User.org_id, User.id, User.name).where(
        User.org_id.in_(org_ids), User.role == Role.partner_admin)).all()
    db.session.execute(sa.insert(Acceptance), [
        {"agreement_id": current.id, "org_id": org_id, "user_id": user_id, "typed_name": name, "accepted_at": now,
         "ip": "198.51.100.200", "version": current.version, "text_sha256": current.text_sha256,
         "code": f"GEN-AGR-{org_id:07d}"} for org_id, user_id, name in admins])


def seed_generated_certificates(seed: int = 7) -> int:
    """Give about half of the generated partners' people a certificate of a certifying path
    (some expired, some lapsing within the year), by bulk insert: what tier evaluation counts."""
    rng = random.Random(seed)
    paths = db.session.scalars(sa.select(LearningPath).where(LearningPath.certification_name.is_not(None))).all()
    people = db.session.execute(sa.select(User.id, User.name, User.org_id, Organization.name).join(
        Organization, User.org).where(User.email.like("%@generated.demo"))).all()
    now = clock.now()
    rows = []
    for user_id, user_name, org_id, org_name in people:
        if not paths or rng.random() < 0.5:
            continue
        path = rng.choice(paths)
        issued = now - timedelta(days=rng.randint(1, 700))
        rows.append({"code": f"GEN-{user_id:08d}", "user_id": user_id, "org_id": org_id, "path_id": path.id,
                     "holder_name": user_name, "org_name": org_name, "certification_name": path.certification_name,
                     "issued_at": issued, "expires_at": issued + timedelta(days=30 * (path.validity_months or 12))})
    if rows:
        db.session.execute(sa.insert(Certificate), rows)
    db.session.commit()
    return len(rows)


# --- Generated assets for benchmarks -------------------------------------------------------

INDUSTRIES = ["Healthcare", "Retail", "Manufacturing", "Financial services", "Public sector", "Education",
              "Logistics", "Energy", "Media", "Hospitality", "Legal", "Insurance", "Telecom", "Agriculture"]
CUSTOMER_PREFIXES = ["North", "Blue", "Silver", "Granite", "Harbor", "Cedar", "Summit", "Iron", "Lake",
                     "Prairie", "Coastal", "Red Oak", "Falcon", "Meadow", "Atlas", "Crescent"]
CUSTOMER_SUFFIXES = ["Logistics", "Health", "Foods", "Bank", "Energy", "Clinics", "Retail Group", "Insurance",
                     "Manufacturing", "University", "Media", "Airlines", "Utilities", "Law LLP"]
CITIES = ["Chicago", "Dublin", "Lyon", "Munich", "Toronto", "Madrid", "Rotterdam", "Austin", "Leeds",
          "Melbourne", "São Paulo", "Milan", "Denver", "Oslo"]
BENEFITS = ["cut cloud spend", "shorten recovery times", "retire the VPN", "pass the next audit",
            "move workloads without downtime", "predict next quarter's bill", "stop ransomware from spreading",
            "give developers self-service", "consolidate four consoles into one", "control egress costs"]
FEATURES = ["immutable snapshots", "zero-trust access", "managed kubernetes", "the migration planner",
            "egress forecasting", "policy as code", "anomaly detection", "passwordless sign-in",
            "rightsizing advice", "automated restore tests", "micro-segmentation", "the semantic layer",
            "OpenTelemetry tracing", "per-team budgets", "instant VM recovery", "access reviews"]
METRICS = ["infrastructure cost", "recovery time", "firewall rules", "support tickets", "onboarding time",
           "unplanned downtime", "monthly egress charges", "audit preparation time"]
COMPETITORS = ["Stratix Cloud", "Vaultline", "NetGuard One", "Quantra BI", "legacy tape", "the incumbent VPN"]
WORKLOADS = ["the ERP system", "900 virtual machines", "the customer portal", "file servers",
             "the data warehouse", "point-of-sale systems", "clinical applications", "the billing platform"]
TRIGGERS = ["a ransomware attack hit a competitor", "the data centre lease came up for renewal",
            "the auditors raised a finding", "the cloud bill doubled in a year",
            "a merger doubled the number of sites", "the board asked for a recovery test"]
HEADINGS = ["Overview", "Why it matters", "Key capabilities", "Customer story", "Objection handling",
            "Pricing and packaging", "Technical details", "Migration path", "Next steps", "Questions to ask"]
SENTENCES = [
    "{product} helps {industry} teams {benefit}.",
    "With {feature}, {customer} reduced {metric} by {percent} percent in {months} months.",
    "{customer}, a {industry} company in {city}, started migrating {workload} when {trigger}.",
    "The migration of {workload} finished {months} weeks ahead of plan.",
    "Partners usually meet {competitor} in these deals; lead with {feature} and the three-year cost.",
    "Ask the customer who can delete their backups today, and how they would know.",
    "Most {industry} buyers ask about {feature} in the first meeting.",
    "Pricing starts at {price} USD per year, and three-year terms add {discount} percent off list.",
    "The Professional edition adds {feature} and {feature2}.",
    "In the pilot, {customer} used {feature} to {benefit} within {months} weeks.",
    "\"We chose {product} because it let us {benefit},\" says the IT director of {customer}.",
    "Objection: '{competitor} is cheaper.' Answer: compare {metric} over three years, not list price.",
    "Zero-trust policies and ransomware protection now appear in most {industry} tenders.",
    "Kubernetes clusters, virtual machines and egress traffic are reported in one place.",
    "A typical deployment takes {months} weeks, including training for the operations team.",
    "Register the deal early: registration protects it for 90 days and unlocks the higher discount band.",
    "Before migrating {workload}, run the free assessment; it maps dependencies and estimates the run cost.",
    "{customer} compared {product} with {competitor} and chose us for {feature}.",
    "Customers in {city} often ask whether their data stays in the region; it does.",
    "The operations team at {customer} now spends {percent} percent less time on {metric}.",
    "Egress charges fell by {percent} percent once {customer} turned on {feature}.",
    "Presales engineers should demonstrate {feature} live; a recorded demo convinces fewer buyers.",
    "Renewals are quoted 120 days before the end date, so start the conversation about {feature2} early.",
    "A ransomware drill at {customer} restored {workload} in under {months} hours.",
]
GENERATED_TYPES = [t for t in AssetType if t is not AssetType.video]
GENERATED_LANGUAGES = ["en"] * 14 + ["de", "fr", "es", "it"]
GENERATED_AUDIENCES = [AudienceSpec()] * 12 + [
    AudienceSpec.tier_floor("silver"), AudienceSpec.tier_floor("gold"), AudienceSpec(tiers=frozenset({"platinum"})),
    AudienceSpec(personas=frozenset({Persona.sales})), AudienceSpec(personas=frozenset({Persona.presales})),
    AudienceSpec(personas=frozenset({Persona.marketing})),
    AudienceSpec(regions=frozenset({Region.EMEA})), AudienceSpec(regions=frozenset({Region.NA})),
    AudienceSpec(regions=frozenset({Region.APAC})), AudienceSpec(partner_types=frozenset({PartnerType.msp})),
]
GENERATED_CHUNK = 1000


def seed_generated_assets(count: int) -> int:
    """Add `count` generated text and Markdown assets by bulk insert, for benchmarks.
    The caller rebuilds the search index."""
    rng = random.Random(count)
    store = current_store()
    products = db.session.execute(sa.select(Product.id, Product.name).order_by(Product.id)).all()
    author_id = db.session.scalar(sa.select(User.id).join(Organization, User.org)
                                  .where(Organization.kind == OrgKind.vendor).order_by(User.id).limit(1))
    start = db.session.scalar(sa.select(sa.func.count(Asset.id)))
    for first in range(0, count, GENERATED_CHUNK):
        numbers = range(start + first, start + min(first + GENERATED_CHUNK, count))
        rows = [_generated_asset(rng, number, products) for number in numbers]
        _insert_generated(rows, store, author_id)
    db.session.commit()
    return count


class GeneratedAsset(NamedTuple):
    asset: dict
    audience: AudienceSpec
    filename: str
    text: str


def _generated_asset(rng: random.Random, number: int, products: list) -> GeneratedAsset:
    product_id, product = rng.choice(products) if products and rng.random() < 0.9 else (None, "Acme")
    asset_type = rng.choice(GENERATED_TYPES)
    industry = rng.choice(INDUSTRIES)
    title = f"{product} {asset_type.label} — {industry} edition {number:04d}"
    markdown = rng.random() < 0.7
    text = _generated_text(rng, title, product, industry.lower(), markdown)
    asset = {
        "title": title, "asset_type": asset_type, "product_id": product_id, "language": rng.choice(GENERATED_LANGUAGES),
        "summary": f"{asset_type.label} for {industry.lower()} customers: {rng.choice(BENEFITS)} with {product}.",
        "tags": ", ".join(rng.sample(["generated", industry.lower(), *FEATURES[:6]], 3)),
        "publish_at": clock.now() - timedelta(days=rng.uniform(0, 365)),
    }
    filename = f"generated-{number:05d}.{'md' if markdown else 'txt'}"
    return GeneratedAsset(asset, rng.choice(GENERATED_AUDIENCES), filename, text)


def _generated_text(rng: random.Random, title: str, product: str, industry: str, markdown: bool) -> str:
    """300 to about 1,500 words of template sentences, in headed sections."""
    target_words = rng.randint(300, 1400)
    parts, words = [_heading(title, markdown, level=1)], 0
    while words < target_words:
        if len(parts) == 1 or rng.random() < 0.35:
            parts.append(_heading(rng.choice(HEADINGS), markdown, level=2))
        paragraph = " ".join(_sentence(rng, product, industry) for _ in range(rng.randint(3, 7)))
        parts.append(paragraph)
        words += paragraph.count(" ") + 1
    return "\n\n".join(parts) + "\n"


def _heading(text: str, markdown: bool, level: int) -> str:
    if markdown:
        return f"{'#' * level} {text}"
    underline = "=" if level == 1 else "-"
    return f"{text}\n{underline * len(text)}"


def _sentence(rng: random.Random, product: str, industry: str) -> str:
    customer = f"{rng.choice(CUSTOMER_PREFIXES)} {rng.choice(CUSTOMER_SUFFIXES)}"
    feature, feature2 = rng.sample(FEATURES, 2)
    return rng.choice(SENTENCES).format(
        product=product, industry=industry, customer=customer, city=rng.choice(CITIES),
        benefit=rng.choice(BENEFITS), feature=feature, feature2=feature2, metric=rng.choice(METRICS),
        percent=rng.randint(12, 64), months=rng.randint(2, 14), competitor=rng.choice(COMPETITORS),
        workload=rng.choice(WORKLOADS), trigger=rng.choice(TRIGGERS), price=rng.randrange(20, 2000, 10),
        discount=rng.choice((5, 8, 10, 12)),
    )


def _insert_generated(rows: list[GeneratedAsset], store: BlobStore, author_id: int | None) -> None:
    now = clock.now()
    audience_rows = [audience_columns(row.audience) | {"has_orgs": False} for row in rows]
    audience_ids = _insert_returning_ids(Audience, audience_rows)
    asset_rows = [row.asset | {"audience_id": audience_id, "version": 1, "download_count": 0,
                               "created_by_id": author_id, "created_at": now, "updated_at": now}
                  for row, audience_id in zip(rows, audience_ids)]
    asset_ids = _insert_returning_ids(Asset, asset_rows)
    version_rows = []
    for row, asset_id in zip(rows, asset_ids):
        data = row.text.encode()
        kind = FileKind.markdown if row.filename.endswith(".md") else FileKind.text
        version_rows.append({
            "asset_id": asset_id, "number": 1, "filename": row.filename, "kind": kind.value, "size": len(data),
            "sha256": store.put(data, durable=False), "preview_sha256": None, "text": row.text,
            "created_by_id": author_id, "created_at": now,
        })
    db.session.execute(sa.insert(AssetVersion), version_rows)


def _insert_returning_ids(model, rows: list[dict]) -> list[int]:
    """Insert the rows; their ids in the rows' order. One INSERT assigns ids in the rows'
    order, but SQLite may return RETURNING's rows in any order, and asking SQLAlchemy to
    sort them makes it insert one row per statement: so sort the returned ids."""
    return sorted(db.session.scalars(sa.insert(model).returning(model.id), rows))


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


def random_amount(rng: random.Random, country: str) -> int:
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
            ids = _insert_returning_ids(Deal, [deal.row for deal in deals])
            db.session.execute(sa.insert(deal_products), [{"deal_id": deal_id, "product_id": product_id}
                                                          for deal_id, deal in zip(ids, deals)
                                                          for product_id in deal.product_ids])
            earlier.extend(zip(ids, deals))
    db.session.commit()
    return count


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
        "amount": random_amount(rng, customer["country"]), "currency": currency,
        "close_date": (created + timedelta(days=rng.randint(20, 200))).date(),
        "stage": _stage_for(rng, status), "notes": rng.choice(NOTES), "status": status,
        "submitted_at": submitted if registered else None,
        "decided_at": decided if decided_on else None, "decided_by_id": decider_id if decided_on else None,
        "rejection_reason": _rejection_reason(rng, assessment) if status is DealStatus.rejected else None,
        "protected_until": protected_until if decided_on and status is not DealStatus.rejected else None,
        "closed_at": closed if status in (DealStatus.won, DealStatus.lost) else None,
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
    return next((days for days in sorted(deal_services.REMINDER_DAYS) if left <= timedelta(days=days)), None)
