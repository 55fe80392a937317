resource "aws_s3_bucket" "disabled_rule_source" {
  bucket = "disabled-rule-source"
  versioning {
    enabled = true
  }

  replication_configuration {
    role = "arn:aws:iam::111122223333:role/replication-role"

    rules {
      id       = "paused-archive"
      priority = 1
      status   = "Disabled"
      filter {
        prefix = "archive/"
      }
      destination {
        bucket        = "arn:aws:s3:::archive-replica"
        storage_class = "DEEP_ARCHIVE"
      }
    }
  }
}
