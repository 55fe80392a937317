variable "environment" {
  type    = string
  default = "prod"
}

variable "replication_role_arn" {
  type        = string
  description = "s3repl reference: {\"kind\":\"resource\",\"target\":\"ReplicationRole\",\"attribute\":\"Arn\",\"resource_type\":\"AWS::IAM::Role\"}"
}

variable "replica_bucket_arn" {
  type        = string
  description = "s3repl reference: {\"kind\":\"resource\",\"target\":\"ReplicaBucket\",\"attribute\":\"Arn\",\"resource_type\":\"AWS::S3::Bucket\",\"default\":{\"kind\":\"template\",\"parts\":[\"arn:\",{\"kind\":\"pseudo\",\"target\":\"AWS::Partition\"},\":s3:::acme-orders-replica\"]}}"
}

variable "destination_account" {
  type    = string
  default = "444455556666"
}

variable "replica_key_arn" {
  type = string
}

variable "shared_replica_bucket_arn" {
  type        = string
  description = "s3repl reference: {\"kind\":\"import\",\"target\":\"SharedReplicaBucketArn\"}"
}

data "aws_partition" "current" {}

data "aws_region" "current" {}

resource "aws_s3_bucket_replication_configuration" "orders_bucket" {
  bucket = "acme-orders-${var.environment}"
  role   = var.replication_role_arn

  rule {
    id       = "same-stack-replica"
    priority = 1
    status   = "Enabled"
    filter {
      prefix = "orders/"
    }
    delete_marker_replication {
      status = "Disabled"
    }
    destination {
      bucket = var.replica_bucket_arn
    }
  }

  rule {
    id       = "other-account"
    priority = 2
    status   = "Enabled"
    filter {
      and {
        prefix = "invoices/"
        tags = {
          retain = "true"
          env    = var.environment
        }
      }
    }
    delete_marker_replication {
      status = "Disabled"
    }
    source_selection_criteria {
      sse_kms_encrypted_objects {
        status = "Enabled"
      }
    }
    destination {
      bucket  = "arn:${data.aws_partition.current.partition}:s3:::acme-${var.environment}-invoices-${data.aws_region.current.name}"
      account = var.destination_account
      access_control_translation {
        owner = "Destination"
      }
      encryption_configuration {
        replica_kms_key_id = var.replica_key_arn
      }
    }
  }

  rule {
    id       = "imported"
    priority = 3
    status   = "Enabled"
    filter {
      prefix = "shared/"
    }
    delete_marker_replication {
      status = "Enabled"
    }
    destination {
      bucket = var.shared_replica_bucket_arn
    }
  }

  rule {
    id       = "joined"
    priority = 4
    status   = "Enabled"
    filter {
      prefix = "$${literal}/"
    }
    delete_marker_replication {
      status = "Enabled"
    }
    destination {
      bucket = "arn:aws:s3:::${var.environment}-joined"
    }
  }
}
