"""The S3 emulator (tests/emulator.py) itself: it records what is PUT and answers GET with it, unlike moto alone."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

# Every member PutBucketReplication takes, V2 rule and V1 rule (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ReplicationConfiguration.html).
MAXIMAL = {
    "Role": "arn:aws:iam::123456789012:role/replication",
    "Rules": [
        {"ID": "v2", "Priority": 7, "Status": "Enabled",
         "Filter": {"And": {"Prefix": "logs/", "Tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": ""}]}},
         "SourceSelectionCriteria": {"SseKmsEncryptedObjects": {"Status": "Enabled"},
                                     "ReplicaModifications": {"Status": "Disabled"}},
         "ExistingObjectReplication": {"Status": "Enabled"},
         "DeleteMarkerReplication": {"Status": "Enabled"},
         "Destination": {"Bucket": "arn:aws:s3:::dest", "Account": "210987654321", "StorageClass": "GLACIER_IR",
                         "AccessControlTranslation": {"Owner": "Destination"},
                         "EncryptionConfiguration": {"ReplicaKmsKeyID": "arn:aws:kms:us-east-1:210987654321:key/k"},
                         "ReplicationTime": {"Status": "Enabled", "Time": {"Minutes": 15}},
                         "Metrics": {"Status": "Enabled", "EventThreshold": {"Minutes": 15}}}},
        {"ID": "v1", "Prefix": "old/", "Status": "Disabled", "Destination": {"Bucket": "arn:aws:s3:::dest"}},
    ],
}


@pytest.fixture
def s3(s3_emulator):
    """An S3 client on a fresh emulator with a versioned bucket named source."""
    s3_emulator.reset()
    client = s3_emulator.client()
    client.create_bucket(Bucket="source")
    client.put_bucket_versioning(Bucket="source", VersioningConfiguration={"Status": "Enabled"})
    return client


def test_get_answers_what_was_put(s3, s3_emulator):
    s3.put_bucket_replication(Bucket="source", ReplicationConfiguration=MAXIMAL)
    assert s3.get_bucket_replication(Bucket="source")["ReplicationConfiguration"] == MAXIMAL
    assert s3_emulator.puts("source") == [MAXIMAL]


def test_moto_alone_is_lossy(s3, s3_emulator):
    """Why the layer exists: moto's own GET loses members (if moto is ever fixed, the layer may go)."""
    s3.put_bucket_replication(Bucket="source", ReplicationConfiguration=MAXIMAL)
    s3_emulator.layer.current.clear()  # let moto answer
    assert s3.get_bucket_replication(Bucket="source")["ReplicationConfiguration"] != MAXIMAL


def test_puts_are_recorded_in_order_and_delete_forgets(s3, s3_emulator):
    second = {"Role": MAXIMAL["Role"], "Rules": MAXIMAL["Rules"][1:]}
    s3.put_bucket_replication(Bucket="source", ReplicationConfiguration=MAXIMAL)
    s3.put_bucket_replication(Bucket="source", ReplicationConfiguration=second)
    assert s3_emulator.puts("source") == [MAXIMAL, second]
    assert s3.get_bucket_replication(Bucket="source")["ReplicationConfiguration"] == second
    s3.delete_bucket_replication(Bucket="source")
    with pytest.raises(ClientError, match="ReplicationConfigurationNotFound"):
        s3.get_bucket_replication(Bucket="source")
    assert s3_emulator.puts("other") == []


def test_reset_empties_moto_and_the_record(s3, s3_emulator):
    s3.put_bucket_replication(Bucket="source", ReplicationConfiguration=MAXIMAL)
    s3_emulator.reset()
    assert s3_emulator.puts("source") == []
    assert s3.list_buckets()["Buckets"] == []
