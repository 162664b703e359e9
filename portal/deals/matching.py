"""Deal-registration conflict matching: is this customer already claimed, and by what?

Pure functions on plain data. The DB layer stores `keys_for(customer)` on every deal and
house account as indexed columns, fetches the claims whose keys equal the probe's, drops
criteria that are `too_broad`, and calls `assess`. The assessment says what matched, never
who registered it: partners compete with each other.
"""
import enum
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from rapidfuzz import fuzz


class Reason(enum.Enum):
    SAME_DOMAIN = "same domain"
    SAME_EMAIL = "same contact email"
    SAME_PHONE = "same phone number"
    SAME_NAME = "same company name"
    SIMILAR_NAME = "similar company name"


# A phone number is shared by switchboards and agencies; a similar name is a guess.
STRONG_REASONS = frozenset({Reason.SAME_DOMAIN, Reason.SAME_EMAIL, Reason.SAME_NAME})


class Level(enum.Enum):
    green = "green"
    amber = "amber"
    red = "red"


@dataclass(frozen=True)
class Customer:
    company: str
    website: str | None = None
    contact_email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Keys:
    company: str
    company_token: str
    domain: str | None
    email: str | None
    phone: str | None


# --- normalisation -------------------------------------------------------------------

LEGAL_SUFFIXES = frozenset(
    "inc incorporated llc ltd limited gmbh mbh ag kg kgaa ug se co corp corporation company "
    "plc sa sas sarl srl spa sl bv nv pty oy ab as aps kk llp lp and".split()
)  # "and" too, so that "Acme GmbH & Co. KG" loses the whole tail
DOTTED_ABBREVIATION = re.compile(r"(?<!\w)(?:[^\W\d_]\.)+[^\W\d_](?!\w)")  # S.A., L.L.C
FREE_MAIL_DOMAINS = frozenset(
    "gmail.com googlemail.com outlook.com live.com msn.com aol.com icloud.com me.com mac.com "
    "proton.me protonmail.com pm.me web.de mail.ru inbox.ru bk.ru list.ru qq.com 163.com "
    "126.com sina.com zoho.com mail.com gmx.com tutanota.com fastmail.com hey.com".split()
)
FREE_MAIL_PREFIXES = ("yahoo.", "ymail.", "hotmail.", "gmx.", "yandex.", "outlook.", "live.")
HOSTNAME = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z][a-z0-9-]*")  # a TLD is never numeric
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PHONE_EXTENSION = re.compile(r"\s*(?:ext|x|#)\.?\s*\d{1,6}\s*$", re.IGNORECASE)  # "x 12"
PHONE_MIN_DIGITS = 7
PHONE_KEPT_DIGITS = 9  # drops country codes and trunk prefixes: +44 20... == 020...


def _fold(text: str) -> str:
    """Strip accents and case. NFKD before casefold: the other order is not idempotent."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def normalize_company(name: str) -> str:
    text = _fold(name).replace("&", " and ").replace("'", "").replace("\u2019", "")
    text = DOTTED_ABBREVIATION.sub(lambda m: m.group().replace(".", ""), text)
    text = "".join(c if c.isalnum() or unicodedata.category(c)[0] == "M" else " " for c in text)
    tokens = text.split()
    # Never strip the last remaining token, so a name with letters never becomes empty.
    while len(tokens) > 1 and tokens[0] == "the":
        tokens.pop(0)
    while len(tokens) > 1 and tokens[-1] in LEGAL_SUFFIXES:
        tokens.pop()
    return " ".join(tokens)


def normalize_domain(value: str | None) -> str | None:
    """The host of a URL, bare domain or email address, sans "www."; None for free mail."""
    text = (value or "").strip()
    if "://" not in text:
        text = "//" + text  # so urlsplit reads a bare host (or user@host) as the netloc
    try:
        host = (urlsplit(text).hostname or "").rstrip(".")
        if not host.isascii():
            host = host.encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        return None
    while host.startswith("www."):
        host = host.removeprefix("www.")
    if not HOSTNAME.fullmatch(host) or is_free_mail(host):
        return None
    return host


def is_free_mail(host: str) -> bool:
    return host in FREE_MAIL_DOMAINS or host.startswith(FREE_MAIL_PREFIXES)


def normalize_email(value: str | None) -> str | None:
    email = (value or "").strip().lower()
    return email if EMAIL.fullmatch(email) else None


def normalize_phone(value: str | None) -> str | None:
    number = PHONE_EXTENSION.sub("", value or "")
    digits = "".join(str(unicodedata.decimal(c)) for c in number if c.isdecimal())
    return digits[-PHONE_KEPT_DIGITS:] if len(digits) >= PHONE_MIN_DIGITS else None


# The widths of the key columns (deal_keys, house accounts): normalising can lengthen a name
# (e.g. "&" becomes " and "), so keys are cut to fit, the same way when stored and when looked up.
KEY_COMPANY_WIDTH, KEY_TOKEN_WIDTH = 200, 100


def keys_for(customer: Customer) -> Keys:
    company = normalize_company(customer.company)
    return Keys(
        company=company[:KEY_COMPANY_WIDTH],
        company_token=company.split(" ", 1)[0][:KEY_TOKEN_WIDTH],
        domain=normalize_domain(customer.website) or normalize_domain(customer.contact_email),
        email=normalize_email(customer.contact_email),
        phone=normalize_phone(customer.phone),
    )


# --- comparing two customers ---------------------------------------------------------

# Indel similarity of one substituted letter in an n-letter name is 1 - 1/n: this catches
# one typo in names of 8+ letters and a dropped or doubled letter in names of 4+, while
# sister companies ("acme uk" / "acme us", 0.857) and short names ("ibm" / "ibn") stay apart.
SIMILAR_NAME_THRESHOLD = 0.875


def name_similarity(a: str, b: str) -> float:
    """0..1 for two normalised names, blind to word order; 0 when either is empty."""
    if not a or not b:
        return 0.0
    return fuzz.token_sort_ratio(a, b) / 100


def reasons(probe: Keys, other: Keys, ignored: frozenset[Reason] = frozenset()) -> frozenset[Reason]:
    found = {
        Reason.SAME_DOMAIN: _same(probe.domain, other.domain),
        Reason.SAME_EMAIL: _same(probe.email, other.email),
        Reason.SAME_PHONE: _same(probe.phone, other.phone),
        Reason.SAME_NAME: _same(probe.company, other.company),
        Reason.SIMILAR_NAME: probe.company != other.company
        and name_similarity(probe.company, other.company) >= SIMILAR_NAME_THRESHOLD,
    }
    return frozenset(reason for reason, hit in found.items() if hit) - ignored


def _same(a: str | None, b: str | None) -> bool:
    return bool(a) and a == b


# --- assessing a probe against existing claims ---------------------------------------

TOO_MANY = 25


def too_broad(counts: Mapping[Reason, int]) -> frozenset[Reason]:
    """Criteria that match so many claims they no longer tell customers apart."""
    return frozenset(reason for reason, count in counts.items() if count > TOO_MANY)


@dataclass(frozen=True)
class Claim:
    id: int
    keys: Keys
    product_ids: frozenset[int]
    registered_at: datetime
    protected: bool
    house: bool = False


@dataclass(frozen=True)
class Match:
    claim: Claim
    reasons: frozenset[Reason]
    shares_product: bool


@dataclass(frozen=True)
class Assessment:
    level: Level
    reasons: tuple[Reason, ...]
    holder: Claim | None
    matches: tuple[Match, ...]

    def explain(self) -> str:
        what = ", ".join(reason.value for reason in self.reasons)
        if self.level is Level.red:
            return f"A protected registration exists: {what}."
        if self.level is Level.amber:
            return f"Possible match: {what}."
        return "No existing registration matches."


def assess(
    probe: Keys,
    product_ids: frozenset[int],
    claims: Iterable[Claim],
    ignored: frozenset[Reason] = frozenset(),
) -> Assessment:
    """First to register wins: the earliest protected claim that holds the customer."""
    matches = sorted(_matches(probe, product_ids, claims, ignored), key=lambda m: _seniority(m.claim))
    holding = next((match for match in matches if _holds(match, product_ids)), None)
    if holding:
        matches = [holding] + [match for match in matches if match is not holding]
    level = Level.red if holding else Level.amber if matches else Level.green
    holder = holding.claim if holding else None
    return Assessment(level, _strongest_first(matches), holder, tuple(matches))


def _matches(
    probe: Keys, product_ids: frozenset[int], claims: Iterable[Claim], ignored: frozenset[Reason]
) -> Iterable[Match]:
    for claim in set(claims):  # a claim fetched by two criteria counts once
        found = reasons(probe, claim.keys, ignored)
        if found:
            yield Match(claim, found, shares_product=bool(product_ids & claim.product_ids))


def _holds(match: Match, product_ids: frozenset[int]) -> bool:
    """Same customer on strong evidence, same deal: an overlapping product, a house account,
    or a side that names no products (so it may be any)."""
    claim = match.claim
    same_deal = match.shares_product or claim.house or not product_ids or not claim.product_ids
    return claim.protected and bool(match.reasons & STRONG_REASONS) and same_deal


def _seniority(claim: Claim) -> tuple[datetime, int, bool]:
    # Deals and house accounts live in separate tables, so their ids may collide.
    return claim.registered_at, claim.id, not claim.house


def _strongest_first(matches: Iterable[Match]) -> tuple[Reason, ...]:
    found = set().union(*(match.reasons for match in matches))
    declared = list(Reason)
    return tuple(sorted(found, key=lambda r: (r not in STRONG_REASONS, declared.index(r))))
