resource "aws_s3_bucket_replication_configuration" "rtc_metrics_source" {
  bucket = "rtc-metrics-source"
  role   = "arn:aws:iam::111122223333:role/replication-role"

  rule {
    id       = "rtc-everything"
    priority = 1
    status   = "Enabled"
    filter {}
    delete_marker_replication {
      status = "Enabled"
    }
    source_selection_criteria {
      replica_modifications {
        status = "Enabled"
      }
    }
    destination {
      bucket = "arn:aws:s3:::rtc-destination"
      replication_time {
        status = "Enabled"
        time {
          minutes = 15
        }
      }
      metrics {
        status = "Enabled"
        event_threshold {
          minutes = 15
        }
      }
    }
  }
}
