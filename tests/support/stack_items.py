"""What the local stack's table should hold, and reads of it, for the integration tests."""

from __future__ import annotations

from boto3.dynamodb.conditions import Key

from tvguide.repositories import from_dynamo


def demand(viewers):
    wanted: dict[int, set[int]] = {}
    for viewer in viewers:
        for source in viewer["sources"]:
            wanted.setdefault(int(source), set()).update(int(g) for g in viewer["genres"])
    return wanted


def expected_titles(catalogue, viewers):
    """title id -> the demanded sources it is really on (and that the genre filter returns it for)."""
    expected: dict[str, set[str]] = {}
    for source, genres in demand(viewers).items():
        for title in catalogue.matching({source}, genres):
            expected.setdefault(str(title.id), set()).add(str(source))
    return expected


def filed_under(table, source_id):
    rows, kwargs = [], {"KeyConditionExpression": Key("pk").eq(f"SOURCE#{source_id}")}
    while True:
        page = table.query(**kwargs)
        rows += [from_dynamo(i) for i in page["Items"]]
        if "LastEvaluatedKey" not in page:
            return rows
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def get_title(table, title_id):
    item = table.get_item(Key={"pk": f"TITLE#{title_id}", "sk": "TITLE"}).get("Item")
    return from_dynamo(item) if item else None
