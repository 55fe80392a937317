variable "data_bucket_name" {
  type        = string
  description = "s3repl reference: {\"kind\":\"resource\",\"target\":\"DataBucket\",\"resource_type\":\"AWS::S3::Bucket\"}"
}

variable "expression" {
  type        = string
  description = "s3repl reference: {\"kind\":\"expression\",\"target\":\"Fn::If\",\"text\":\"{\\\"Fn::If\\\":[\\\"IsProd\\\",{\\\"Ref\\\":\\\"ProdRoleArn\\\"},\\\"arn:aws:iam::111122223333:role/staging-replication\\\"]}\",\"language\":\"cloudformation\"}"
}

resource "aws_s3_bucket_replication_configuration" "data_bucket" {
  bucket = var.data_bucket_name
  role   = var.expression

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
