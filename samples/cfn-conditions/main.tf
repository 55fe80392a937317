variable "prod_role_arn" {
  type    = string
  default = "arn:aws:iam::111122223333:role/prod-replication"
}

resource "aws_s3_bucket_replication_configuration" "data_bucket" {
  bucket = aws_s3_bucket.data_bucket.id
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
