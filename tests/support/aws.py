"""Creates, inside moto, the same AWS resources Terraform creates (table schema, stream, queue)."""

from __future__ import annotations

from typing import Any

import boto3

TABLE = "tvguide-test-data"
STREAM = "tvguide-test-titles"
QUEUE = "tvguide-test-consumer-dlq"


def create_table(name: str = TABLE) -> Any:
    client = boto3.client("dynamodb")
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": a, "AttributeType": "S"}
            for a in ("pk", "sk", "gsi1pk", "gsi1sk", "by_title", "by_rating", "by_year")
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsi1",
                "KeySchema": [
                    {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                    {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
            *(
                {  # the feed indexes, as Terraform makes them (terraform/modules/data-plane)
                    "IndexName": name,
                    "KeySchema": [
                        {"AttributeName": "pk", "KeyType": "HASH"},
                        {"AttributeName": attribute, "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["title_id", "type"]},
                }
                for name, attribute in (
                    ("feed_title", "by_title"),
                    ("feed_rating", "by_rating"),
                    ("feed_year", "by_year"),
                )
            ),
        ],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return boto3.resource("dynamodb").Table(name)


def create_stream(name: str = STREAM) -> None:
    client = boto3.client("kinesis")
    client.create_stream(StreamName=name, ShardCount=1)


def create_queue(name: str = QUEUE) -> str:
    return str(boto3.client("sqs").create_queue(QueueName=name)["QueueUrl"])


def read_stream(name: str = STREAM) -> list[bytes]:
    client = boto3.client("kinesis")
    shard = client.describe_stream(StreamName=name)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = client.get_shard_iterator(StreamName=name, ShardId=shard, ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]
    data: list[bytes] = []
    while iterator:
        response = client.get_records(ShardIterator=iterator, Limit=10000)
        data.extend(r["Data"] for r in response["Records"])
        if not response["Records"]:
            break
        iterator = response.get("NextShardIterator")
    return data


def drain_queue(url: str) -> list[dict[str, Any]]:
    import json

    client = boto3.client("sqs")
    messages = []
    while True:
        response = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
        batch = response.get("Messages", [])
        if not batch:
            return messages
        for m in batch:
            messages.append(json.loads(m["Body"]))
            client.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
