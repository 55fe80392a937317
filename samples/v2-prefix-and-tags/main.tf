resource "aws_s3_bucket_replication_configuration" "v2_prefix_and_tags_source" {
  bucket = "v2-prefix-and-tags-source"
  role   = "arn:aws:iam::111122223333:role/replication-role"

  rule {
    id       = "reports-from-finance"
    priority = 10
    status   = "Enabled"
    filter {
      and {
        prefix = "reports/"
        tags = {
          department     = "finance"
          classification = "internal"
        }
      }
    }
    delete_marker_replication {
      status = "Disabled"
    }
    destination {
      bucket        = "arn:aws:s3:::finance-reports-replica"
      storage_class = "GLACIER_IR"
    }
  }
}
