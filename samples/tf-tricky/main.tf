resource "aws_s3_bucket_replication_configuration" "tricky" {
  bucket = "tricky-source"
  role   = "arn:aws:iam::111122223333:role/tricky"

  rule {
    id       = "quote \" backslash \\ dollar $${x} percent %%{y} tab\tend"
    priority = 7
    status   = "Enabled"
    filter {
      prefix = "odd/  spaces/café/"
    }
    delete_marker_replication {
      status = "Disabled"
    }
    destination {
      bucket        = "arn:aws:s3:::tricky-replica"
      storage_class = "GLACIER"
    }
  }

  rule {
    id       = "tagged"
    priority = 0
    status   = "Disabled"
    filter {
      and {
        tags = {
          "needs quotes" = "v1"
          plain          = "日本語-ключ"
        }
      }
    }
    delete_marker_replication {
      status = "Disabled"
    }
    destination {
      bucket = "arn:aws:s3:::tricky-replica"
    }
  }
}
