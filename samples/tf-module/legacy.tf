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

resource "aws_s3_bucket" "source" {
  bucket = "${var.prefix}-source"
  versioning {
    enabled = true
  }

  replication_configuration {
    role = aws_iam_role.replication.arn

    rules {
      id                               = "logs"
      priority                         = 10
      status                           = "Enabled"
      delete_marker_replication_status = "Enabled"
      filter {
        prefix = local.log_prefix
      }
      destination {
        bucket        = module.destination.bucket_arn
        storage_class = "STANDARD_IA"
        account_id    = data.aws_caller_identity.current.account_id
      }
    }

    rules {
      id       = "tagged-${var.prefix}"
      priority = 0
      status   = "Enabled"
      filter {
        prefix = ""
        tags = {
          replicate = var.tag_value
        }
      }
      destination {
        bucket             = "arn:aws:s3:::${var.prefix}-replica"
        replica_kms_key_id = lookup(var.keys, "replica", null)
      }
    }
  }
}
