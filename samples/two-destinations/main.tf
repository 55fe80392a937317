resource "aws_s3_bucket_replication_configuration" "two_destinations_source" {
  bucket = "two-destinations-source"
  role   = "arn:aws:iam::111122223333:role/replication-role"

  rule {
    id       = "logs-to-us-west-2"
    priority = 2
    status   = "Enabled"
    filter {
      prefix = "logs/"
    }
    delete_marker_replication {
      status = "Enabled"
    }
    destination {
      bucket = "arn:aws:s3:::logs-replica-us-west-2"
    }
  }

  rule {
    id       = "images-to-eu-west-1"
    priority = 1
    status   = "Enabled"
    filter {
      tag {
        key   = "replicate"
        value = "eu"
      }
    }
    delete_marker_replication {
      status = "Disabled"
    }
    destination {
      bucket        = "arn:aws:s3:::images-replica-eu-west-1"
      storage_class = "ONEZONE_IA"
    }
  }
}
