"""Where to watch: Watchmode's title sources parsed (every field may be missing or hostile) and ranked for a
viewer; enrichment stores them with the details."""

from decimal import Decimal

import pytest

from tvguide.models import TitleDetails
from tvguide.offers import MAX_OFFERS, best_way, parse_offers, ranked_offers, safe_link, stored_offers

NAMES = {"203": "Netflix", "26": "Prime Video", "24": "Amazon", "349": "AppleTV", "157": "BBC iPlayer"}


def row(**fields):
    return {"source_id": 24, "type": "rent", "region": "GB", "web_url": "https://watch.example/24/1"} | fields


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "http://watch.example/a",
        "Deeplinks available for paid plans only.",
        "https://",
        "https://user:pass@watch.example/a",
        "https://watch.example/a b",
        "https://watch.example/\x00",
        "data:text/html,<script>alert(1)</script>",
        "//watch.example/a",
        "https://" + "a" * 600 + ".example",
        None,
        42,
    ],
)
def test_only_an_https_link_with_a_host_is_a_link(link):
    assert safe_link(link) is None
    assert parse_offers([row(web_url=link)])[0].link is None  # the offer stays, without a link


def test_every_field_may_be_missing_or_wrong_and_a_row_without_a_source_or_way_is_left_out():
    offers = parse_offers(
        [
            {},
            None,
            "text",
            {"source_id": 24},
            {"type": "rent"},
            {"source_id": "x", "type": "sub"},
            {"source_id": True, "type": "sub"},
            {"source_id": 203, "type": "stream"},  # a way Watchmode does not have
            {"source_id": 203, "type": "sub", "region": "US"},  # another region's
            {"source_id": 203, "type": "sub"},  # everything else missing: kept
            row(price="free", format="8K", seasons=-1, episodes="ten"),
            row(type="buy", price=10**9, format="4K", seasons=True),
        ]
    )
    assert [(o.source_id, o.kind.value, o.price, o.format, o.seasons, o.episodes) for o in offers] == [
        ("203", "sub", None, None, None, None),
        ("24", "rent", None, None, None, None),
        ("24", "buy", None, "4K", None, None),
    ]
    assert parse_offers(None) == () and parse_offers({"source_id": 1}) == ()


def test_the_same_offer_is_kept_once_at_its_lowest_price_and_offers_are_bounded():
    offers = parse_offers(
        [row(price=4.99, format="HD"), row(price="3.49", format="HD"), row(price=5, format="HD")]
    )
    assert len(offers) == 1 and offers[0].price == Decimal("3.49")
    many = [row(source_id=n, type="buy", price=1) for n in range(1, 200)]
    assert len(parse_offers(many)) == MAX_OFFERS


def test_details_carry_their_offers_and_the_stored_shape_reads_back():
    details = TitleDetails.model_validate(
        {
            "id": 1,
            "sources": [row(price=3.49, format="HD"), row(source_id=203, type="sub", seasons=3, episodes=24)],
        }
    )
    stored = [o.stored() for o in details.offers]
    assert stored[0] == {
        "source_id": "24",
        "kind": "rent",
        "price": Decimal("3.49"),
        "format": "HD",
        "link": "https://watch.example/24/1",
    }
    assert stored_offers({"offers": stored}) == details.offers
    assert stored_offers({"offers": [{"kind": "nope"}]}) == () and stored_offers({}) == ()


def test_a_viewer_sees_their_services_first_then_free_then_the_cheapest_rent_and_buy():
    offers = parse_offers(
        [
            row(source_id=349, type="buy", price=9.99, format="4K"),
            row(source_id=24, type="rent", price=4.99, format="HD"),
            row(source_id=24, type="rent", price=3.49, format="SD"),
            row(source_id=349, type="rent", price=2.49, format="SD"),
            row(source_id=157, type="free", format="HD"),
            row(source_id=26, type="sub", format="4K"),
            row(source_id=203, type="sub", format="HD"),
            row(source_id=999, type="sub"),  # a source the guide does not know
        ]
    )
    lines = ranked_offers(offers, {"203"}, NAMES)
    assert [(o["source_name"], o["kind"], o["price"]) for o in lines] == [
        ("Netflix", "sub", None),
        ("BBC iPlayer", "free", None),
        ("AppleTV", "rent", "2.49"),
        ("Amazon", "rent", "3.49"),
        ("AppleTV", "buy", "9.99"),
        ("Prime Video", "sub", None),
    ]
    assert lines[0]["mine"] is True and lines[0]["link"] == "https://watch.example/24/1"
    assert best_way(lines) == "Included with Netflix"
    assert best_way(ranked_offers(offers, set(), NAMES)) == "Free on BBC iPlayer"
    rent_only = [o for o in offers if o.kind.value in ("rent", "buy")]
    assert best_way(ranked_offers(rent_only, set(), NAMES)) == "Rent from £2.49"
    assert best_way([]) is None
