resource "aws_s3_bucket" "source" {
  bucket = "acme-v3-source"
  versioning {
    enabled = true
  }

  replication_configuration {
    role = "arn:aws:iam::111122223333:role/acme-v3-replication"

    rules {
      id                               = "everything"
      priority                         = 1
      status                           = "Enabled"
      delete_marker_replication_status = "Enabled"
      filter {
        prefix = ""
      }
      destination {
        bucket        = aws_s3_bucket.destination.arn
        storage_class = "STANDARD"
      }
    }

    rules {
      id                               = "kms-v2"
      priority                         = 5
      status                           = "Enabled"
      delete_marker_replication_status = "Enabled"
      filter {
        prefix = "secure/"
      }
      source_selection_criteria {
        sse_kms_encrypted_objects {
          enabled = true
        }
      }
      destination {
        bucket             = "arn:aws:s3:::acme-v3-secure-replica"
        replica_kms_key_id = "arn:aws:kms:us-west-2:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        account_id         = "444455556666"
        access_control_translation {
          owner = "Destination"
        }
        replication_time {
          status  = "Enabled"
          minutes = 15
        }
        metrics {
          status  = "Enabled"
          minutes = 15
        }
      }
    }

    rules {
      id       = "tagged-v2"
      priority = 0
      status   = "Enabled"
      filter {
        prefix = ""
        tags = {
          replicate = "yes"
          team      = "data"
        }
      }
      destination {
        bucket = "arn:aws:s3:::acme-v3-tagged-replica"
      }
    }
  }
}
