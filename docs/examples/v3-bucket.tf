# Provider v3 style: versioning and replication inline in the bucket.
resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"

  versioning {
    enabled = true
  }

  replication_configuration {
    role = "arn:aws:iam::111122223333:role/logs-replication"

    rules {
      id     = "all"
      status = "Enabled"
      destination {
        bucket = "arn:aws:s3:::acme-logs-replica"
      }
    }
  }

  tags = { team = "data" } # kept as it is
}
