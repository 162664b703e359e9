"""Countries (ISO 3166 alpha-2, from pycountry) and the program region each falls in."""
import pycountry

from portal.core.models import Region

COUNTRIES = sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda pair: pair[1])
COUNTRY_NAMES = dict(COUNTRIES)

# The sales regions as channel programs draw them: North America; Latin America and the
# Caribbean (Mexico included); Asia-Pacific (East, South-East and South Asia, Oceania);
# everything else (Europe, the Middle East, Central Asia, Africa) is EMEA.
NORTH_AMERICA = frozenset("US CA BM PM GL".split())
LATIN_AMERICA = frozenset("""
    AG AI AR AW BB BL BO BQ BR BS BV BZ CL CO CR CU CW DM DO EC FK GD GF GP GS GT GY HN HT JM KN KY
    LC MF MQ MS MX NI PA PE PR PY SR SV SX TC TT UY VC VE VG VI""".split())
ASIA_PACIFIC = frozenset("""
    CN HK MO JP KP KR MN TW BN KH ID LA MY MM PH SG TH TL VN AF BD BT IN LK MV NP PK
    AS AU CC CK CX FJ FM GU HM IO KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV UM VU WF WS""".split())


def region_of(country: str) -> Region:
    """The region of a country code (EMEA for any code not in the other three)."""
    if country in NORTH_AMERICA:
        return Region.NA
    if country in LATIN_AMERICA:
        return Region.LATAM
    if country in ASIA_PACIFIC:
        return Region.APAC
    return Region.EMEA
