resource "aws_s3_bucket_replication_configuration" "logs_bucket" {
  bucket = "acme-logs"
  role   = "arn:aws:iam::111122223333:role/acme-replication"

  rule {
    id       = "app-logs"
    priority = 1
    status   = "Enabled"
    filter {
      prefix = "app/"
    }
    delete_marker_replication {
      status = "Enabled"
    }
    destination {
      bucket        = "arn:aws:s3:::acme-logs-replica"
      storage_class = "STANDARD_IA"
    }
  }

  rule {
    id       = "audit-logs"
    priority = 2
    status   = "Enabled"
    filter {
      prefix = "audit/"
    }
    delete_marker_replication {
      status = "Enabled"
    }
    destination {
      bucket        = "arn:aws:s3:::acme-logs-replica"
      storage_class = "STANDARD_IA"
    }
  }
}

resource "aws_s3_bucket_replication_configuration" "assets_bucket" {
  bucket = "acme-assets"
  role   = "arn:aws:iam::111122223333:role/acme-replication"

  rule {
    id     = "public-assets"
    prefix = "public/"
    status = "Enabled"
    destination {
      bucket = "arn:aws:s3:::acme-assets-replica"
    }
  }

  rule {
    id     = "007"
    prefix = "yes"
    status = "Disabled"
    destination {
      bucket = "arn:aws:s3:::acme-assets-replica"
    }
  }
}
