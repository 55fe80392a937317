resource "aws_s3_bucket" "v2_prefix_and_tags_source" {
  bucket = "v2-prefix-and-tags-source"
  versioning {
    enabled = true
  }

  replication_configuration {
    role = "arn:aws:iam::111122223333:role/replication-role"

    rules {
      id       = "reports-from-finance"
      priority = 10
      status   = "Enabled"
      filter {
        prefix = "reports/"
        tags = {
          department     = "finance"
          classification = "internal"
        }
      }
      destination {
        bucket        = "arn:aws:s3:::finance-reports-replica"
        storage_class = "GLACIER_IR"
      }
    }
  }
}
