variable "prefix" {
  type    = string
  default = "acme"
}

variable "tag_value" {
  type = string
}

data "aws_caller_identity" "current" {}

locals {
  log_prefix = "logs/${var.prefix}/"
}

resource "aws_s3_bucket_replication_configuration" "replication" {
  depends_on = [aws_s3_bucket_versioning.source]
  bucket     = aws_s3_bucket.source.id
  role       = aws_iam_role.replication.arn

  rule {
    id       = "logs"
    priority = 10
    status   = "Enabled"
    filter {
      prefix = local.log_prefix
    }
    delete_marker_replication {
      status = "Enabled"
    }
    destination {
      bucket        = module.destination.bucket_arn
      account       = data.aws_caller_identity.current.account_id
      storage_class = "STANDARD_IA"
    }
  }

  rule {
    id       = "tagged-${var.prefix}"
    priority = 0
    status   = "Enabled"
    filter {
      tag {
        key   = "replicate"
        value = var.tag_value
      }
    }
    delete_marker_replication {
      status = "Disabled"
    }
    destination {
      bucket = "arn:aws:s3:::${var.prefix}-replica"
      encryption_configuration {
        replica_kms_key_id = lookup(var.keys, "replica", null)
      }
    }
  }
}
