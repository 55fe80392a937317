resource "aws_s3_bucket" "minimal_same_account_source" {
  bucket = "minimal-same-account-source"
  versioning {
    enabled = true
  }

  replication_configuration {
    role = "arn:aws:iam::111122223333:role/replication-role"

    rules {
      id       = "ReplicateTax"
      priority = 1
      status   = "Enabled"
      filter {
        prefix = "Tax"
      }
      destination {
        bucket = "arn:aws:s3:::amzn-s3-demo-destination-bucket"
      }
    }
  }
}
