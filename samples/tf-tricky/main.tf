resource "aws_s3_bucket_replication_configuration" "tricky" {
  bucket = "tricky-source"
  role   = "arn:aws:iam::111122223333:role/tricky"

  rule {
    id       = "quote \" backslash \\ dollar $${x} percent %%{y} unicode é tab\tend"
    priority = 7
    status   = "Enabled"
    filter {
      prefix = "odd/  spaces/"
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
    id       = "日本語-ключ"
    priority = 0
    status   = "Disabled"
    filter {
      and {
        prefix = ""
        tags = {
          "needs quotes" = "v1"
          plain          = "yes"
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
