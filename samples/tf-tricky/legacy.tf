resource "aws_s3_bucket" "tricky" {
  bucket = "tricky-source"
  versioning {
    enabled = true
  }

  replication_configuration {
    role = "arn:aws:iam::111122223333:role/tricky"

    rules {
      id       = "quote \" backslash \\ dollar $${x} percent %%{y} tab\tend"
      priority = 7
      status   = "Enabled"
      filter {
        prefix = "odd/  spaces/café/"
      }
      destination {
        bucket        = "arn:aws:s3:::tricky-replica"
        storage_class = "GLACIER"
      }
    }

    rules {
      id       = "tagged"
      priority = 0
      status   = "Disabled"
      filter {
        prefix = ""
        tags = {
          "needs quotes" = "v1"
          plain          = "日本語-ключ"
        }
      }
      destination {
        bucket = "arn:aws:s3:::tricky-replica"
      }
    }
  }
}
