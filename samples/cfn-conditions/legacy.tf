variable "expression" {
  type        = string
  description = "s3repl reference: {\"kind\":\"expression\",\"target\":\"Fn::If\",\"text\":\"{\\\"Fn::If\\\":[\\\"IsProd\\\",{\\\"Ref\\\":\\\"ProdRoleArn\\\"},\\\"arn:aws:iam::111122223333:role/staging-replication\\\"]}\",\"language\":\"cloudformation\"}"
}

resource "aws_s3_bucket" "data_bucket" {
  versioning {
    enabled = true
  }

  replication_configuration {
    role = var.expression

    rules {
      id       = "everything"
      priority = 0
      status   = "Enabled"
      filter {
        prefix = ""
      }
      destination {
        bucket = "arn:aws:s3:::data-replica"
      }
    }
  }
}
