resource "aws_s3_bucket" "prod_data_source" {
  bucket = "prod-data-source"
  versioning {
    enabled = true
  }

  replication_configuration {
    role = "arn:aws:iam::111122223333:role/prod-replication"

    rules {
      id                               = "to-backup-account"
      priority                         = 1
      status                           = "Enabled"
      delete_marker_replication_status = "Enabled"
      filter {
        prefix = "data/"
      }
      source_selection_criteria {
        sse_kms_encrypted_objects {
          enabled = true
        }
      }
      destination {
        bucket             = "arn:aws:s3:::backup-data-replica"
        storage_class      = "STANDARD"
        replica_kms_key_id = "arn:aws:kms:us-west-2:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        account_id         = "444455556666"
        access_control_translation {
          owner = "Destination"
        }
      }
    }
  }
}
