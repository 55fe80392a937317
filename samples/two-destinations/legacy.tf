resource "aws_s3_bucket" "two_destinations_source" {
  bucket = "two-destinations-source"
  versioning {
    enabled = true
  }

  replication_configuration {
    role = "arn:aws:iam::111122223333:role/replication-role"

    rules {
      id                               = "logs-to-us-west-2"
      priority                         = 2
      status                           = "Enabled"
      delete_marker_replication_status = "Enabled"
      filter {
        prefix = "logs/"
      }
      destination {
        bucket = "arn:aws:s3:::logs-replica-us-west-2"
      }
    }

    rules {
      id       = "images-to-eu-west-1"
      priority = 1
      status   = "Enabled"
      filter {
        prefix = ""
        tags = {
          replicate = "eu"
        }
      }
      destination {
        bucket        = "arn:aws:s3:::images-replica-eu-west-1"
        storage_class = "ONEZONE_IA"
      }
    }
  }
}
