resource "aws_s3_bucket" "v1_console_export_source" {
  bucket = "v1-console-export-source"
  versioning {
    enabled = true
  }

  replication_configuration {
    role = "arn:aws:iam::111122223333:role/service-role/s3crr_role_for_source-bucket"

    rules {
      id     = "ZmUwNzE4ZmQ4NzlmNGI4NTg5ZGE2YzI3ZDg0YjQ4NDY2"
      prefix = ""
      status = "Enabled"
      destination {
        bucket        = "arn:aws:s3:::destination-bucket"
        storage_class = "STANDARD_IA"
      }
    }
  }
}
