# A module-like directory: buckets, a role, versioning and replication, with variables and locals.
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 4.0" }
  }
}

data "aws_caller_identity" "current" {}

resource "aws_s3_bucket" "source" {
  bucket = "${var.prefix}-source"
  tags   = local.common_tags
}

resource "aws_s3_bucket_versioning" "source" {
  bucket = aws_s3_bucket.source.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_iam_role" "replication" {
  name               = "${var.prefix}-replication"
  assume_role_policy = <<-POLICY
    {
      "Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    }
  POLICY
}

module "destination" {
  source = "./modules/destination"
}

resource "aws_s3_bucket_replication_configuration" "replication" {
  # Must have bucket versioning enabled first
  depends_on = [aws_s3_bucket_versioning.source]

  role   = aws_iam_role.replication.arn
  bucket = aws_s3_bucket.source.id

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
      storage_class = "STANDARD_IA"
      account       = data.aws_caller_identity.current.account_id
    }
  }

  rule {
    id     = "tagged-${var.prefix}"
    status = "Enabled"

    filter {
      tag {
        key   = "replicate"
        value = var.tag_value
      }
    }

    delete_marker_replication { status = "Disabled" }

    destination {
      bucket = "arn:aws:s3:::${var.prefix}-replica"
      encryption_configuration {
        replica_kms_key_id = lookup(var.keys, "replica", null)
      }
    }
  }
}
