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
