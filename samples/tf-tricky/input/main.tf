/* Syntax both python-hcl2 and HashiCorp's parser must read the same way. */
resource "aws_s3_bucket_replication_configuration" "tricky" {
  bucket = "tricky-source" // a line comment
  role = "arn:aws:iam::111122223333:role/tricky"   # odd spacing, no alignment

  rule {
    id = "quote \" backslash \\ dollar $${x} percent %%{y} tab\tend"
    priority = 007
    status = "Enabled"
    filter { prefix = "odd/  spaces/caf\u00e9/" }
    delete_marker_replication { status = "Disabled" }
    destination {
      bucket = "arn:aws:s3:::tricky-replica"
      storage_class = "GLACIER"
    }
  }

  rule {
    id     = "tagged"
    status = "Disabled"
    filter {
      and {
        prefix = ""
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
