"""UpdateItem expressions built a clause at a time (issue 20: eleven were built by string concatenation)."""

import pytest

from tvguide.update_expression import Update


def test_clauses_placeholders_and_a_merged_condition():
    update = Update().set("title", "Heat").set_or_remove("year", None).set_if_absent("genre_ids", ["4"])
    update.add("rev", 1).add("enrichment_jobs", {"j-1"}).remove("gsi1pk")
    arguments = update.arguments(condition="#s = :q", names={"#s": "status"}, values={":q": "queued"})
    assert arguments["UpdateExpression"] == (
        "SET #a_title = :v0, #a_genre_ids = if_not_exists(#a_genre_ids, :v1) "
        "REMOVE #a_year, #a_gsi1pk ADD #a_rev :v2, #a_enrichment_jobs :v3"
    )
    assert arguments["ConditionExpression"] == "#s = :q"
    assert arguments["ExpressionAttributeNames"]["#a_year"] == "year"
    assert arguments["ExpressionAttributeNames"]["#s"] == "status"
    assert arguments["ExpressionAttributeValues"] == {
        ":v0": "Heat",
        ":v1": ["4"],
        ":v2": 1,
        ":v3": {"j-1"},
        ":q": "queued",
    }


def test_reserved_words_and_odd_names_are_safe_and_an_empty_update_is_refused():
    update = Update().set("name", "x").set("reserved_3f-9", 2)  # `name` is a reserved word in DynamoDB
    names = update.arguments()["ExpressionAttributeNames"]
    assert names == {"#a_name": "name", "#a_reserved_3f_9": "reserved_3f-9"}
    with pytest.raises(ValueError):
        Update().arguments()
    with pytest.raises(ValueError):  # two attributes may not share a placeholder
        Update().set("a-b", 1).set("a_b", 2)


def test_it_runs_against_dynamodb(aws_env):
    table = aws_env["table"]
    table.put_item(Item={"pk": "X", "sk": "Y", "year": 1999, "rev": 1})
    update = Update().set("title", "Heat").set_or_remove("year", None).add("rev", 1)
    table.update_item(Key={"pk": "X", "sk": "Y"}, **update.arguments(condition="attribute_exists(pk)"))
    item = table.get_item(Key={"pk": "X", "sk": "Y"})["Item"]
    assert item["title"] == "Heat" and "year" not in item and item["rev"] == 2
