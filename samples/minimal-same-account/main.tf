resource "aws_s3_bucket_replication_configuration" "minimal_same_account_source" {
  bucket = "minimal-same-account-source"
  role   = "arn:aws:iam::111122223333:role/replication-role"

  rule {
    id       = "ReplicateTax"
    priority = 1
    status   = "Enabled"
    filter {
      prefix = "Tax"
    }
    delete_marker_replication {
      status = "Disabled"
    }
    destination {
      bucket = "arn:aws:s3:::amzn-s3-demo-destination-bucket"
    }
  }
}
