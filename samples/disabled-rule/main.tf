resource "aws_s3_bucket_replication_configuration" "disabled_rule_source" {
  bucket = "disabled-rule-source"
  role   = "arn:aws:iam::111122223333:role/replication-role"

  rule {
    id       = "paused-archive"
    priority = 1
    status   = "Disabled"
    filter {
      prefix = "archive/"
    }
    delete_marker_replication {
      status = "Disabled"
    }
    destination {
      bucket        = "arn:aws:s3:::archive-replica"
      storage_class = "DEEP_ARCHIVE"
    }
  }
}
