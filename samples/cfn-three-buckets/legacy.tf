resource "aws_s3_bucket" "logs_bucket" {
  bucket = "acme-logs"
  versioning {
    enabled = true
  }

  replication_configuration {
    role = "arn:aws:iam::111122223333:role/acme-replication"

    rules {
      id                               = "app-logs"
      priority                         = 1
      status                           = "Enabled"
      delete_marker_replication_status = "Enabled"
      filter {
        prefix = "app/"
      }
      destination {
        bucket        = "arn:aws:s3:::acme-logs-replica"
        storage_class = "STANDARD_IA"
      }
    }

    rules {
      id                               = "audit-logs"
      priority                         = 2
      status                           = "Enabled"
      delete_marker_replication_status = "Enabled"
      filter {
        prefix = "audit/"
      }
      destination {
        bucket        = "arn:aws:s3:::acme-logs-replica"
        storage_class = "STANDARD_IA"
      }
    }
  }
}

resource "aws_s3_bucket" "assets_bucket" {
  bucket = "acme-assets"
  versioning {
    enabled = true
  }

  replication_configuration {
    role = "arn:aws:iam::111122223333:role/acme-replication"

    rules {
      id     = "public-assets"
      prefix = "public/"
      status = "Enabled"
      destination {
        bucket = "arn:aws:s3:::acme-assets-replica"
      }
    }

    rules {
      id     = "007"
      prefix = "yes"
      status = "Disabled"
      destination {
        bucket = "arn:aws:s3:::acme-assets-replica"
      }
    }
  }
}
