"""Deal-registration conflict matching: normalisers, reasons, and the green/amber/red verdict."""
from datetime import datetime, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from portal.deals import matching
from portal.deals.matching import (
    SIMILAR_NAME_THRESHOLD,
    STRONG_REASONS,
    TOO_MANY,
    Claim,
    Customer,
    Keys,
    Level,
    Reason,
    assess,
    keys_for,
    name_similarity,
    normalize_company,
    normalize_domain,
    normalize_email,
    normalize_phone,
    reasons,
    too_broad,
)


JAN = datetime(2025, 1, 1, 9, 0)
ACME = keys_for(Customer("Acme, Inc.", "https://www.acme.com", "jane@acme.com", "+44 20 7946 0958"))
LEVELS = [Level.green, Level.amber, Level.red]


def claim(id=1, keys=ACME, products=(1,), days=0, protected=True, house=False) -> Claim:
    return Claim(id, keys, frozenset(products), JAN + timedelta(days=days), protected, house)


def only(company="", domain=None, email=None, phone=None) -> Keys:
    """Keys carrying just the given (already normalised) values."""
    return Keys(company, company.split(" ", 1)[0], domain, email, phone)


# --- normalisers ---------------------------------------------------------------------


@pytest.mark.parametrize("typed, expected", [
    ("Société Générale S.A.", "societe generale"),
    ("ACME, Inc.", "acme"),
    ("Acme Inc", "acme"),
    ("acme", "acme"),
    ("Acme GmbH", "acme"),
    ("Acme Ltd", "acme"),
    ("Acme L.L.C.", "acme"),
    ("Acme Pty Ltd", "acme"),
    ("ACME s.a.s", "acme"),
    ("Acme Holdings GmbH & Co. KG", "acme holdings"),
    ("The Acme Corporation", "acme"),
    ("  Müller   &  Söhne  ", "muller and sohne"),
    ("Procter & Gamble Co.", "procter and gamble"),
    ("J.P. Morgan", "jp morgan"),
    ("Macy's", "macys"),
    ("3M Company", "3m"),
    ("株式会社トヨタ", "株式会社トヨタ"),
])
def test_normalize_company(typed, expected):
    assert normalize_company(typed) == expected


@pytest.mark.parametrize("typed, expected", [
    ("Co.", "co"),  # a name that is all suffix keeps its first word instead of vanishing
    ("Ltd. Co.", "ltd"),
    ("The", "the"),
    ("", ""),
    (" ,.- ", ""),
])
def test_normalize_company_never_empties_a_name_with_letters(typed, expected):
    assert normalize_company(typed) == expected


@pytest.mark.parametrize("typed, expected", [
    ("https://www.Acme.com/path?x=1#top", "acme.com"),
    ("acme.com", "acme.com"),
    ("ACME.COM.", "acme.com"),
    ("www.acme.co.uk:8080", "acme.co.uk"),
    ("jane@acme.com", "acme.com"),
    ("mailto:Jane@Acme.com", "acme.com"),
    ("http://user:secret@shop.acme.com:8443/cart", "shop.acme.com"),
    ("bücher.de", "xn--bcher-kva.de"),
    ("gmail.com", None),
    ("jane@GMAIL.com", None),
    ("bob@yahoo.co.uk", None),
    ("bob@hotmail.fr", None),
    ("acme", None),
    ("Acme Corp", None),
    ("acme..com", None),
    ("192.168.0.1", None),
    ("http://[", None),
    ("www.com", None),
    ("", None),
    (None, None),
])
def test_normalize_domain(typed, expected):
    assert normalize_domain(typed) == expected


@pytest.mark.parametrize("typed, expected", [
    ("  Jane.Doe@Acme.COM ", "jane.doe@acme.com"),
    ("jane@gmail.com", "jane@gmail.com"),  # free mail still identifies a person
    ("jane@acme", None),
    ("jane@@acme.com", None),
    ("jane@acme@com.org", None),
    ("jane doe@acme.com", None),
    ("acme.com", None),
    (None, None),
])
def test_normalize_email(typed, expected):
    assert normalize_email(typed) == expected


@pytest.mark.parametrize("typed, expected", [
    ("+44 20 7946 0958", "079460958"),
    ("020 7946 0958", "079460958"),
    ("(020) 7946-0958", "079460958"),
    ("+1 (555) 123-4567 ext. 89", "551234567"),
    ("555-1234 x12", "5551234"),
    ("Fax: 555 1234", "5551234"),
    ("٠٢٠٧٩٤٦٠٩٥٨", "079460958"),  # Arabic-Indic digits
    ("12 34 56", None),
    ("n/a", None),
    (None, None),
])
def test_normalize_phone(typed, expected):
    assert normalize_phone(typed) == expected


def test_keys_for_takes_the_domain_from_the_email_when_there_is_no_website():
    keys = keys_for(Customer("The Acme Group Ltd", contact_email="Jane@Acme.com", phone="n/a"))
    assert keys == Keys("acme group", "acme", "acme.com", "jane@acme.com", None)


def test_keys_for_a_free_mail_contact_has_no_domain():
    keys = keys_for(Customer("Acme", website="not a site", contact_email="jane@gmail.com"))
    assert (keys.domain, keys.email) == (None, "jane@gmail.com")


@pytest.mark.parametrize("a, b, similar", [
    ("microsoft", "microsft", True),
    ("acme systems", "systems acme", True),
    ("pied piper", "pied pipers", True),
    ("acme uk", "acme us", False),
    ("acme", "acne", False),
    ("general motors", "general mills", False),
    ("acme", "", False),
])
def test_name_similarity(a, b, similar):
    assert (name_similarity(a, b) >= SIMILAR_NAME_THRESHOLD) is similar
    assert 0.0 <= name_similarity(a, b) <= 1.0


# --- reasons -------------------------------------------------------------------------


def test_reasons_lists_every_shared_key():
    typed_differently = keys_for(Customer("ACME Inc.", "acme.com", "JANE@acme.com", "020 7946 0958"))
    assert reasons(ACME, typed_differently) == {
        Reason.SAME_DOMAIN, Reason.SAME_EMAIL, Reason.SAME_PHONE, Reason.SAME_NAME}


def test_similar_name_is_only_for_names_that_differ():
    assert reasons(only("acme software"), only("acme sofware")) == {Reason.SIMILAR_NAME}
    assert reasons(only("acme software"), only("acme software")) == {Reason.SAME_NAME}


def test_missing_values_never_match_each_other():
    assert reasons(only(""), only("")) == frozenset()


def test_ignored_reasons_are_dropped():
    assert reasons(ACME, ACME, ignored=frozenset({Reason.SAME_DOMAIN, Reason.SAME_PHONE})) == {
        Reason.SAME_EMAIL, Reason.SAME_NAME}


def test_too_broad_names_criteria_over_the_limit():
    counts = {Reason.SAME_DOMAIN: TOO_MANY + 1, Reason.SAME_NAME: TOO_MANY, Reason.SAME_PHONE: 0}
    assert too_broad(counts) == {Reason.SAME_DOMAIN}


# --- assess --------------------------------------------------------------------------


def test_green_when_nothing_matches():
    result = assess(ACME, frozenset({1}), [claim(keys=only("globex", "globex.com"))])
    assert (result.level, result.reasons, result.holder, result.matches) == (Level.green, (), None, ())
    assert result.explain() == "No existing registration matches."


def test_red_when_a_protected_claim_shares_the_domain_and_a_product():
    held = claim(keys=only("acme corp international", "acme.com"), products=(1, 2))
    result = assess(ACME, frozenset({2}), [held])
    assert (result.level, result.holder, result.reasons) == (Level.red, held, (Reason.SAME_DOMAIN,))
    assert result.explain() == "A protected registration exists: same domain."


def test_amber_for_the_same_customer_on_another_product():
    result = assess(ACME, frozenset({1}), [claim(products=(2,))])
    assert (result.level, result.holder) == (Level.amber, None)
    assert result.matches[0].shares_product is False


def test_either_side_without_products_may_be_any_product():
    assert assess(ACME, frozenset(), [claim(products=(2,))]).level is Level.red
    assert assess(ACME, frozenset({1}), [claim(products=())]).level is Level.red


def test_amber_for_weak_reasons_only():
    same_switchboard = claim(keys=only("globex", phone=ACME.phone))
    similar = claim(id=2, keys=only("acme"), protected=True)
    result = assess(only("acme software", phone=ACME.phone), frozenset({1}), [same_switchboard])
    assert result.level is Level.amber
    assert assess(only("acme"), frozenset({1}), [similar]).level is Level.red
    result = assess(only("acmee"), frozenset({1}), [similar])
    assert (result.level, result.explain()) == (Level.amber, "Possible match: similar company name.")


def test_amber_for_an_unprotected_claim():
    expired = claim(protected=False)
    result = assess(ACME, frozenset({1}), [expired])
    assert (result.level, result.holder, result.matches[0].claim) == (Level.amber, None, expired)


def test_house_account_is_red_without_product_overlap():
    house = claim(keys=only("acme", "acme.com"), products=(9,), house=True)
    result = assess(ACME, frozenset({1}), [house])
    assert (result.level, result.holder) == (Level.red, house)


def test_first_to_register_holds_and_ties_go_to_the_lower_id():
    later, tied_high, tied_low = claim(id=1, days=2), claim(id=7, days=1), claim(id=3, days=1)
    expired_earliest = claim(id=2, days=0, protected=False)
    result = assess(ACME, frozenset({1}), [later, tied_high, expired_earliest, tied_low])
    assert result.holder == tied_low
    assert [m.claim for m in result.matches] == [tied_low, expired_earliest, tied_high, later]


def test_a_weak_earlier_claim_does_not_hold():
    earlier_similar = claim(id=1, keys=only("acme sytems"), days=0)
    later_same = claim(id=2, keys=only("acme systems"), days=5)
    result = assess(only("acme systems"), frozenset({1}), [earlier_similar, later_same])
    assert result.holder == later_same


def test_ignored_criteria_cannot_make_it_red():
    big_reseller = claim(keys=only("megadistri", "acme.com"))
    probe = only("acme", "acme.com")
    assert assess(probe, frozenset({1}), [big_reseller]).level is Level.red
    ignored = too_broad({Reason.SAME_DOMAIN: TOO_MANY + 1})
    assert assess(probe, frozenset({1}), [big_reseller], ignored).level is Level.green


def test_reasons_are_the_union_strongest_first():
    by_phone = claim(id=1, keys=only("globex", phone=ACME.phone))
    by_name = claim(id=2, keys=only("acme"), products=(5,))
    by_domain = claim(id=3, keys=only("acme corp international", "acme.com"), products=(5,))
    result = assess(ACME, frozenset({1}), [by_phone, by_name, by_domain])
    assert result.reasons == (Reason.SAME_DOMAIN, Reason.SAME_NAME, Reason.SAME_PHONE)
    assert result.explain() == "Possible match: same domain, same company name, same phone number."


def test_a_claim_fetched_twice_counts_once():
    result = assess(ACME, frozenset({1}), [claim(), claim()])
    assert len(result.matches) == 1


def test_explain_never_reveals_the_other_record():
    other = keys_for(Customer("Initech Ltd", "initech.io", "peter@initech.io", "+1 555 123 4567"))
    probe = keys_for(Customer("Initech", "https://initech.io", "peter@initech.io", "555 123 4567"))
    for protected in (True, False):
        text = assess(probe, frozenset({1}), [claim(id=4242, keys=other, protected=protected)]).explain()
        for secret in ("initech", "peter", "4242", "555"):
            assert secret not in text.lower()


# --- properties ----------------------------------------------------------------------

letters = "abcdefghijklmnopqrstuvwxyzéüøñç"
words = st.lists(st.text(letters, min_size=1, max_size=8), min_size=1, max_size=4)
separators = st.sampled_from([" ", "  ", ", ", " - ", "-", "/", "\t", " + "])
suffixes = st.sampled_from(["Inc.", ", Inc", "LLC", "L.L.C.", "GmbH & Co. KG", "S.A.", "Pty Ltd", "plc", "AB"])
labels = st.one_of(st.just("www"), st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=10))
hosts = st.builds(lambda ls, tld: ".".join([*ls, tld]), st.lists(labels, min_size=1, max_size=3),
                  st.sampled_from(["com", "de", "co.uk", "io"]))


@given(st.one_of(st.none(), st.text()))
def test_normalisers_never_raise_and_are_idempotent(text):
    for normalize in (normalize_domain, normalize_email, normalize_phone):
        once = normalize(text)
        assert normalize(once) == once
    if text is not None:
        assert normalize_company(normalize_company(text)) == normalize_company(text)
        keys_for(Customer(text, text, text, text))


@given(st.builds("{}{}".format, st.sampled_from(["", "https://", "HTTP://user@", "www.", "jane@"]), hosts),
       st.sampled_from(["", ":8080", "/path?q=1", ":443/x#frag"]))
def test_normalize_domain_is_idempotent_on_urls(url, tail):
    once = normalize_domain(url + tail)
    assert normalize_domain(once) == once


@given(words, separators, suffixes, st.booleans(), st.data())
def test_company_names_ignore_case_spacing_punctuation_and_suffixes(tokens, separator, suffix, the, data):
    plain = normalize_company(" ".join(tokens))
    assume(plain != "the")  # "The The Inc." is "inc": a name that is only "the" has no core
    casing = data.draw(st.sampled_from([str.upper, str.title, str.swapcase]))
    decorated = ("The " if the else "") + casing(separator.join(tokens)) + f" {suffix} "
    assert normalize_company(decorated) == plain


@given(words)
def test_company_names_ignore_accents(tokens):
    name = " ".join(tokens)
    ascii_only = name.translate(str.maketrans("éüñç", "eunc"))
    assert normalize_company(name) == normalize_company(ascii_only)


@given(hosts, st.sampled_from(["https://www.{}/a?b", "{}:8080", "Jane.Doe@{}", "http://{}."]))
def test_domains_ignore_scheme_www_port_path_and_mailbox(host, template):
    assert normalize_domain(template.format(host.upper())) == normalize_domain(host)


@given(st.text("0123456789", min_size=7, max_size=12), st.sampled_from([" ", "-", ".", ""]))
def test_phones_ignore_formatting(digits, separator):
    formatted = "+" + separator.join([digits[:2], f"({digits[2:5]})", digits[5:]])
    assert normalize_phone(formatted) == normalize_phone(digits) == digits[-9:]


# Small pools so that collisions (and so matches, ties and conflicts) are common.
companies = st.sampled_from(["", "acme", "acme systems", "acme sytems", "acne", "globex", "initech"])
keys = st.builds(
    only, companies,
    st.sampled_from([None, "acme.com", "globex.com"]),
    st.sampled_from([None, "jane@acme.com", "bob@globex.com"]),
    st.sampled_from([None, "079460958", "551234567"]),
)
products = st.frozensets(st.integers(1, 3), max_size=2)
claims = st.lists(
    st.builds(Claim, id=st.integers(1, 5), keys=keys, product_ids=products,
              registered_at=st.sampled_from([JAN, JAN + timedelta(days=1), JAN + timedelta(days=2)]),
              protected=st.booleans(), house=st.booleans()),
    max_size=6, unique_by=lambda c: (c.id, c.house),  # ids are unique per table
)
ignored_sets = st.frozensets(st.sampled_from(list(Reason)), max_size=2)


@given(keys, keys, ignored_sets)
def test_reasons_are_symmetric(a, b, ignored):
    assert reasons(a, b, ignored) == reasons(b, a, ignored)


@given(keys)
def test_a_customer_with_a_name_matches_itself_strongly(k):
    if k.company:
        assert reasons(k, k) & STRONG_REASONS


def _holds(probe: Keys, product_ids: frozenset[int], c: Claim, ignored) -> bool:
    strong = reasons(probe, c.keys, ignored) & STRONG_REASONS
    same_deal = bool(product_ids & c.product_ids) or c.house or not product_ids or not c.product_ids
    return c.protected and bool(strong) and same_deal


@given(keys, products, claims, ignored_sets)
def test_the_holder_is_the_earliest_protected_claim_that_holds(probe, product_ids, existing, ignored):
    result = assess(probe, product_ids, existing, ignored)
    holding = [c for c in existing if _holds(probe, product_ids, c, ignored)]
    if not holding:
        assert result.holder is None and result.level is not Level.red
        return
    earliest = min((c.registered_at, c.id) for c in holding)
    assert result.level is Level.red and result.holder.protected
    assert (result.holder.registered_at, result.holder.id) == earliest
    assert result.matches[0].claim == result.holder


@given(keys, products, claims, ignored_sets)
def test_assessment_is_consistent(probe, product_ids, existing, ignored):
    result = assess(probe, product_ids, existing, ignored)
    matched = [c for c in existing if reasons(probe, c.keys, ignored)]
    assert sorted(m.claim.id for m in result.matches) == sorted(c.id for c in matched)
    assert (result.level is Level.green) == (not matched)
    assert set(result.reasons) == set().union(*(m.reasons for m in result.matches))
    assert not set(result.reasons) & ignored


@given(keys, products, claims, claims, ignored_sets)
def test_adding_claims_never_lowers_the_level(probe, product_ids, existing, more, ignored):
    before = assess(probe, product_ids, existing, ignored)
    after = assess(probe, product_ids, existing + more, ignored)
    assert LEVELS.index(after.level) >= LEVELS.index(before.level)


@given(keys, products, claims, ignored_sets, st.randoms(use_true_random=False))
def test_claim_order_does_not_matter(probe, product_ids, existing, ignored, random):
    shuffled = random.sample(existing, len(existing))
    assert assess(probe, product_ids, shuffled, ignored) == assess(probe, product_ids, existing, ignored)


@given(keys, products, claims)
def test_explain_never_reveals_the_other_records(probe, product_ids, existing):
    text = assess(probe, product_ids, existing).explain()
    assert not any(ch.isdigit() for ch in text)  # no ids, no phone numbers
    for c in existing:
        for value in (c.keys.company, c.keys.domain, c.keys.email):
            assert not value or value not in text


@pytest.mark.parametrize("company", ["a&" * 100, "\ufdfa" * 200, "x" * 200])
def test_keys_always_fit_their_columns(company):
    """Normalising can lengthen a name ("&" is " and "); the keys are cut to the columns' widths."""
    keys = keys_for(Customer(company, None, None, None))
    assert len(keys.company) <= matching.KEY_COMPANY_WIDTH and len(keys.company_token) <= matching.KEY_TOKEN_WIDTH
