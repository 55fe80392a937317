resource "aws_s3_bucket_replication_configuration" "prod_data_source" {
  bucket = "prod-data-source"
  role   = "arn:aws:iam::111122223333:role/prod-replication"

  rule {
    id       = "to-backup-account"
    priority = 1
    status   = "Enabled"
    filter {
      prefix = "data/"
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
      bucket        = "arn:aws:s3:::backup-data-replica"
      account       = "444455556666"
      storage_class = "GLACIER"
      access_control_translation {
        owner = "Destination"
      }
      encryption_configuration {
        replica_kms_key_id = "arn:aws:kms:us-west-2:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"
      }
    }
  }
}
