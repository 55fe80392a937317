variable "prod_role_arn" {
  type    = string
  default = "arn:aws:iam::111122223333:role/prod-replication"
}

resource "aws_s3_bucket" "data_bucket" {
  versioning {
    enabled = true
  }

  replication_configuration {
    role = var.prod_role_arn

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
