"""Hypothesis strategies for valid models across the whole space, with strings that need escaping everywhere."""

from __future__ import annotations

from hypothesis import strategies as st

from converter import model

TRICKY = ['"', "\\", "${var.x}", "%{ if x }", "&amp;", "<tag>", "a\nb", "a\r\nb", "\t", "007", "yes", "no", "on",
          "off", "null", "~", "true", "1e3", "0x1F", " lead", "trail ", "", "ünïcödé", "日本語", "emoji 🎉", "- item",
          "key: value", "#comment", "*alias", "&anchor", "!Ref x", "'quoted'", "]]>", "--"]
# Any character XML 1.0 can carry (S3's own wire format): no C0 controls but tab, CR, LF; no surrogates.
XML_SAFE = st.characters(blacklist_categories=("Cs",), blacklist_characters="".join(
    chr(c) for c in range(32) if c not in (9, 10, 13)) + "\ufffe\uffff")
text = st.one_of(st.sampled_from(TRICKY), st.text(XML_SAFE, max_size=20),
                 st.builds(lambda a, b: a + b, st.sampled_from(TRICKY), st.text(XML_SAFE, max_size=5)))
status = st.sampled_from(["Enabled", "Disabled"])
toggle = st.builds(model.Toggle, status=status)
minutes = st.builds(model.Minutes, minutes=st.none() | st.integers(-5, 10_000))
tag = st.builds(model.Tag, key=text, value=text)
and_operator = st.builds(model.AndOperator, prefix=st.none() | text, tags=st.none() | st.lists(tag, max_size=4).map(tuple))
filters = st.builds(model.Filter, prefix=st.none() | text, tag=st.none() | tag, and_=st.none() | and_operator)
storage = st.sampled_from(["STANDARD", "STANDARD_IA", "GLACIER", "DEEP_ARCHIVE", "GLACIER_IR", "FSX_OPENZFS", "NEW_CLASS"])
destination = st.builds(
    model.Destination, bucket=text, account=st.none() | text, storage_class=st.none() | storage,
    access_control_translation=st.none() | st.just(model.AccessControlTranslation(owner="Destination")),
    encryption_configuration=st.none() | st.builds(model.EncryptionConfiguration, replica_kms_key_id=st.none() | text),
    replication_time=st.none() | st.builds(model.ReplicationTime, status=status, time=minutes),
    metrics=st.none() | st.builds(model.Metrics, status=status, event_threshold=st.none() | minutes))
v1_rule = st.builds(model.Rule, id=st.none() | text, prefix=st.none() | text, status=status, destination=destination,
                    priority=st.none(), filter=st.none(), delete_marker_replication=st.none(),
                    existing_object_replication=st.none() | toggle,
                    source_selection_criteria=st.none() | st.builds(model.SourceSelectionCriteria,
                                                                    sse_kms_encrypted_objects=st.none() | toggle))
v2_rule = st.builds(model.Rule, id=st.none() | text, priority=st.none() | st.integers(-10, 2**31 - 1), filter=filters,
                    status=status, destination=destination, existing_object_replication=st.none() | toggle,
                    delete_marker_replication=st.none() | st.builds(model.DeleteMarkerReplication,
                                                                    status=st.none() | status),
                    source_selection_criteria=st.none() | st.builds(
                        model.SourceSelectionCriteria, sse_kms_encrypted_objects=st.none() | toggle,
                        replica_modifications=st.none() | toggle))


def configs(max_rules: int = 6, request: bool = False):
    """Replication configurations; with request=True also bucket, token and the other request members."""
    extra = {}
    if request:
        extra = dict(bucket=text, token=st.none() | text, expected_bucket_owner=st.none() | text,
                     checksum_algorithm=st.none() | st.sampled_from(["CRC32", "SHA256"]))
    return st.builds(model.ReplicationConfig, role=text, rules=st.lists(v1_rule | v2_rule, min_size=1,
                                                                         max_size=max_rules).map(tuple), **extra)


# --- models the AWS provider accepts (tests/test_provider_writers.py): its validators want ARNs and account IDs -----
# https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket_replication_configuration
_name = st.from_regex(r"[a-z0-9][a-z0-9-]{2,12}", fullmatch=True)
_short = st.one_of(st.sampled_from(TRICKY), st.text(XML_SAFE, max_size=12))  # ids <= 255, prefixes <= 1024
_arn = _name.map(lambda n: f"arn:aws:s3:::{n}")
_provider_tag = st.builds(model.Tag, key=_short.filter(bool), value=_short)
_provider_filters = st.one_of(
    st.just(model.Filter()), st.builds(model.Filter, prefix=_short), st.builds(model.Filter, tag=_provider_tag),
    st.builds(model.Filter, and_=st.builds(model.AndOperator, prefix=st.none() | _short,
                                           tags=st.lists(_provider_tag, max_size=3, unique_by=lambda t: t.key).map(tuple))))
_fifteen = st.builds(model.Minutes, minutes=st.just(15))
_provider_destination = st.builds(
    model.Destination, bucket=_arn, account=st.none() | st.from_regex(r"[0-9]{12}", fullmatch=True),
    storage_class=st.none() | st.sampled_from(["STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER",
                                               "DEEP_ARCHIVE", "GLACIER_IR", "REDUCED_REDUNDANCY"]),
    access_control_translation=st.none() | st.just(model.AccessControlTranslation(owner="Destination")),
    encryption_configuration=st.none() | st.builds(model.EncryptionConfiguration,
                                                   replica_kms_key_id=_name.map(lambda n: f"arn:aws:kms:us-east-1:123456789012:key/{n}")),
    replication_time=st.none() | st.builds(model.ReplicationTime, status=status, time=_fifteen),
    metrics=st.none() | st.builds(model.Metrics, status=status, event_threshold=st.none() | _fifteen))
_provider_v1 = st.builds(model.Rule, id=st.none() | _short, prefix=st.none() | _short, priority=st.none() | st.integers(0, 9), status=status, destination=_provider_destination,
                         filter=st.none(), existing_object_replication=st.none() | toggle)
_provider_v2 = st.builds(model.Rule, id=st.none() | _short, priority=st.none() | st.integers(0, 1000), filter=_provider_filters,
                         status=status, destination=_provider_destination, existing_object_replication=st.none() | toggle,
                         delete_marker_replication=st.none() | st.builds(model.DeleteMarkerReplication, status=status),
                         source_selection_criteria=st.none() | st.builds(
                             model.SourceSelectionCriteria, sse_kms_encrypted_objects=st.none() | toggle,
                             replica_modifications=st.none() | toggle))
_provider_config = st.builds(model.ReplicationConfig, role=_name.map(lambda n: f"arn:aws:iam::123456789012:role/{n}"),
                             rules=st.one_of(st.lists(_provider_v1, min_size=1, max_size=3),
                                             st.lists(_provider_v2, min_size=1, max_size=3,
                                                      unique_by=lambda r: r.priority)).map(tuple))


def provider_configs():
    """Configurations whose values the AWS provider's validators accept (V1 rules and V2 rules not mixed)."""
    return _provider_config
