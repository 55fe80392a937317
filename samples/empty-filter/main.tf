resource "aws_s3_bucket_replication_configuration" "empty_filter_source" {
  bucket = "empty-filter-source"
  role   = "arn:aws:iam::111122223333:role/replication-role"

  rule {
    id       = "everything"
    priority = 0
    status   = "Enabled"
    filter {}
    delete_marker_replication {
      status = "Disabled"
    }
    destination {
      bucket = "arn:aws:s3:::everything-replica"
    }
  }
}
