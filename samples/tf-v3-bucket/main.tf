resource "aws_s3_bucket_replication_configuration" "source" {
  bucket = aws_s3_bucket.source.id
  role   = "arn:aws:iam::111122223333:role/acme-v3-replication"

  rule {
    id       = "everything"
    priority = 1
    status   = "Enabled"
    filter {}
    delete_marker_replication {
      status = "Enabled"
    }
    destination {
      bucket        = aws_s3_bucket.destination.arn
      storage_class = "STANDARD"
    }
  }

  rule {
    id       = "kms-v2"
    priority = 5
    status   = "Enabled"
    filter {
      prefix = "secure/"
    }
    delete_marker_replication {
      status = "Enabled"
    }
    source_selection_criteria {
      sse_kms_encrypted_objects {
        status = "Enabled"
      }
    }
    destination {
      bucket  = "arn:aws:s3:::acme-v3-secure-replica"
      account = "444455556666"
      access_control_translation {
        owner = "Destination"
      }
      encryption_configuration {
        replica_kms_key_id = "arn:aws:kms:us-west-2:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"
      }
      replication_time {
        status = "Enabled"
        time {
          minutes = 15
        }
      }
      metrics {
        status = "Enabled"
        event_threshold {
          minutes = 15
        }
      }
    }
  }

  rule {
    id       = "tagged-v2"
    priority = 0
    status   = "Enabled"
    filter {
      and {
        tags = {
          replicate = "yes"
          team      = "data"
        }
      }
    }
    delete_marker_replication {
      status = "Disabled"
    }
    destination {
      bucket = "arn:aws:s3:::acme-v3-tagged-replica"
    }
  }
}
