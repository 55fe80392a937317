# Provider v3 style, one bucket per region code: count, and count.index inside the inline block.
variable "regions" {
  type    = list(string)
  default = ["eu", "us"]
}

resource "aws_s3_bucket" "logs" {
  count  = length(var.regions)
  bucket = "acme-logs-${var.regions[count.index]}"

  versioning {
    enabled = true
  }

  replication_configuration {
    role = "arn:aws:iam::111122223333:role/logs-replication"

    rules {
      id     = "all"
      status = "Enabled"
      destination {
        bucket = "arn:aws:s3:::acme-logs-${var.regions[count.index]}-replica"
      }
    }
  }
}
