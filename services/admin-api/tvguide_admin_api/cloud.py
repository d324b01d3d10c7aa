"""The AWS side of the admin API's interfaces (logic.py): Lambda, CloudWatch, SQS and Kinesis."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from tvguide_admin_api.dead_letters import QueuedMessage


class LambdaInvoker:
    def __init__(self, client: Any) -> None:
        self.client = client

    def invoke_async(self, function_name: str, payload: Mapping[str, Any]) -> None:
        response = self.client.invoke(
            FunctionName=function_name, InvocationType="Event", Payload=json.dumps(dict(payload)).encode()
        )
        status = int(response.get("StatusCode", 0))
        if status != 202:
            raise RuntimeError(f"Lambda answered {status} to the asynchronous invocation of {function_name}")


class CloudWatchMetrics:
    def __init__(self, client: Any) -> None:
        self.client = client

    def lambda_series(
        self,
        function_names: list[str],
        metrics: tuple[tuple[str, str], ...],
        start: datetime,
        end: datetime,
        period: int,
    ) -> dict[tuple[str, str], list[tuple[datetime, float]]]:
        """Every (function, metric) series in one GetMetricData call (paging through its NextToken)."""
        queries, ids = [], {}
        for f, name in enumerate(function_names):
            for m, (metric, stat) in enumerate(metrics):
                query_id = f"f{f}m{m}"
                ids[query_id] = (name, metric)
                queries.append(
                    {
                        "Id": query_id,
                        "MetricStat": {
                            "Metric": {
                                "Namespace": "AWS/Lambda",
                                "MetricName": metric,
                                "Dimensions": [{"Name": "FunctionName", "Value": name}],
                            },
                            "Period": period,
                            "Stat": stat,
                        },
                        "ReturnData": True,
                    }
                )
        series: dict[tuple[str, str], list[tuple[datetime, float]]] = {key: [] for key in ids.values()}
        kwargs: dict[str, Any] = {"MetricDataQueries": queries, "StartTime": start, "EndTime": end}
        while True:
            response = self.client.get_metric_data(**kwargs)
            for result in response.get("MetricDataResults", []):
                key = ids.get(result["Id"])
                if key is not None:
                    series[key] += list(
                        zip(result.get("Timestamps", []), result.get("Values", []), strict=False)
                    )
            if not response.get("NextToken"):
                return series
            kwargs["NextToken"] = response["NextToken"]


class CloudWatchLogs:
    def __init__(self, client: Any) -> None:
        self.client = client

    def latest_events(self, log_group: str, limit: int) -> tuple[str | None, list[dict[str, Any]]]:
        try:
            streams = self.client.describe_log_streams(
                logGroupName=log_group, orderBy="LastEventTime", descending=True, limit=1
            ).get("logStreams", [])
        except self.client.exceptions.ResourceNotFoundException:
            return None, []
        if not streams:
            return None, []
        stream = streams[0]["logStreamName"]
        events = self.client.get_log_events(
            logGroupName=log_group, logStreamName=stream, limit=limit, startFromHead=False
        ).get("events", [])
        return stream, [{"timestamp": e.get("timestamp", 0), "message": e.get("message", "")} for e in events]


def _message(raw: Mapping[str, Any]) -> QueuedMessage:
    attributes = raw.get("Attributes") or {}
    custom = {k: v.get("StringValue", "") for k, v in (raw.get("MessageAttributes") or {}).items()}
    return QueuedMessage(
        message_id=raw["MessageId"],
        receipt_handle=raw["ReceiptHandle"],
        body=raw.get("Body", ""),
        sent_at=int(attributes.get("SentTimestamp", 0)),
        receive_count=int(attributes.get("ApproximateReceiveCount", 0)),
        attributes=custom,
    )


class SqsQueues:
    def __init__(self, client: Any) -> None:
        self.client = client

    def depth(self, url: str) -> dict[str, int]:
        attributes = self.client.get_queue_attributes(
            QueueUrl=url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return {
            "messages": int(attributes.get("ApproximateNumberOfMessages", 0)),
            "in_flight": int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
        }

    def _receive(self, url: str, count: int, visibility: int) -> list[QueuedMessage]:
        response = self.client.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=max(1, min(count, 10)),
            VisibilityTimeout=visibility,
            WaitTimeSeconds=0,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        return [_message(m) for m in response.get("Messages", [])]

    def peek(self, url: str, count: int) -> list[QueuedMessage]:
        """Look without taking: the messages stay visible to everyone else."""
        return self._receive(url, count, visibility=0)

    def receive(self, url: str, count: int) -> list[QueuedMessage]:
        return self._receive(url, count, visibility=60)

    def delete(self, url: str, message: QueuedMessage) -> None:
        self.client.delete_message(QueueUrl=url, ReceiptHandle=message.receipt_handle)

    def release(self, url: str, message: QueuedMessage) -> None:
        self.client.change_message_visibility(
            QueueUrl=url, ReceiptHandle=message.receipt_handle, VisibilityTimeout=0
        )


class KinesisTitleStream:
    def __init__(self, client: Any, stream_name: str) -> None:
        self.client = client
        self.stream_name = stream_name

    def put(self, data: bytes, partition_key: str) -> None:
        self.client.put_record(StreamName=self.stream_name, Data=data, PartitionKey=partition_key)

    def read_range(
        self, shard_id: str, first: str, last: str, max_pages: int = 200
    ) -> list[tuple[bytes, str]]:
        """The records of a shard from sequence number `first` to `last`, those still retained (Kinesis
        keeps 24 h). An empty page is not the end while the shard has records after it (GetRecords may
        answer empty mid-shard: `MillisBehindLatest` says so); at most `max_pages` pages are read."""
        iterator = self.client.get_shard_iterator(
            StreamName=self.stream_name,
            ShardId=shard_id,
            ShardIteratorType="AT_SEQUENCE_NUMBER",
            StartingSequenceNumber=first,
        )["ShardIterator"]
        records: list[tuple[bytes, str]] = []
        for _ in range(max_pages):
            if not iterator:
                break
            response = self.client.get_records(ShardIterator=iterator, Limit=1000)
            for record in response.get("Records", []):
                sequence = int(record["SequenceNumber"])
                if sequence > int(last):
                    return records
                if sequence >= int(first):
                    records.append((record["Data"], record["PartitionKey"]))
                if sequence == int(last):
                    return records
            if not response.get("Records") and not response.get("MillisBehindLatest"):
                break  # caught up with the shard's end
            iterator = response.get("NextShardIterator")
        return records
