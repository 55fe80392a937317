resource "aws_s3_bucket" "empty_filter_source" {
  bucket = "empty-filter-source"
  versioning {
    enabled = true
  }

  replication_configuration {
    role = "arn:aws:iam::111122223333:role/replication-role"

    rules {
      id       = "everything"
      priority = 0
      status   = "Enabled"
      filter {
        prefix = ""
      }
      destination {
        bucket = "arn:aws:s3:::everything-replica"
      }
    }
  }
}
