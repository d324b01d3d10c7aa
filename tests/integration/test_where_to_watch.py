"""Where to watch's calendar on the local stack (issue 21): the daily reference job on a paid and on a free
Watchmode plan. A free plan's leaving dates are a preview of the next 10 departures (`403
LEAVING_PREVIEW_LIMIT` past them): the job reads the preview instead, and keeps what it could not see."""

from __future__ import annotations

from boto3.dynamodb.conditions import Key


def stored_departures(table):
    items = table.query(KeyConditionExpression=Key("pk").eq("DEPARTURES"))["Items"]
    found = [d for item in items for d in item["departures"]]
    return {(d["title_id"], d["source_id"], d.get("season")): d["date"] for d in found}


def run_reference(stack):
    result = stack.invoke(stack.info["functions"]["reference"], {"requested_by": "test_where_to_watch"})
    assert result["status"] == "succeeded", result
    return result


def test_a_free_plan_reads_the_preview_and_loses_none_of_the_departures_it_cannot_see(stack, table):
    paid = run_reference(stack)
    assert not paid["departures_preview_only"] and paid["departures"] > 10
    assert paid["releases"] > 0 and paid["departure_pages"] >= 1
    before = stored_departures(table)
    assert len(before) >= paid["departures"]
    stack.fake_watchmode("/_fake/config", {"plan": "free"})
    try:
        free = run_reference(stack)
        assert free["departures_preview_only"] and free["departures"] == 10
        assert free["departure_pages"] == 1  # the refused paid-plan ask is not a page
        assert stored_departures(table) == before  # the next 10 are the same; the rest could not be seen
    finally:
        stack.fake_watchmode("/_fake/config", {"plan": "paid"})
        run_reference(stack)
