variable "data_bucket_name" {
  type        = string
  description = "s3repl reference: {\"kind\":\"resource\",\"target\":\"DataBucket\",\"resource_type\":\"AWS::S3::Bucket\"}"
}

variable "prod_role_arn" {
  type    = string
  default = "arn:aws:iam::111122223333:role/prod-replication"
}

resource "aws_s3_bucket_replication_configuration" "data_bucket" {
  bucket = var.data_bucket_name
  role   = var.prod_role_arn

  rule {
    id       = "everything"
    priority = 0
    status   = "Enabled"
    filter {}
    delete_marker_replication {
      status = "Disabled"
    }
    destination {
      bucket = "arn:aws:s3:::data-replica"
    }
  }
}
