# The local stack (tflocal + MiniStack). Values here are the only local differences from AWS;
# name_prefix and watchmode_base_url are passed by tools/local_cloud.py (they differ per instance).
environment                     = "local"
aws_region                      = "eu-west-2"
log_retention_days              = 7
watchmode_rate_limit_per_minute = 3000
ingestion_max_pages_per_source  = 20
reference_schedule              = "rate(1 day)"
ingestion_schedule              = "rate(1 hour)"
kinesis_encryption              = true
point_in_time_recovery          = false
# The site's own origin is allowed automatically; this adds a local development server.
cors_allowed_origins = ["http://localhost:8080"]
# The emulator serves CloudFront too (site_cdn_local_host, set per instance by tools/local_cloud.py).
site_enable_cdn             = true
site_viewer_protocol_policy = "allow-all" # the emulator serves its CDN over plain HTTP
site_bucket_require_tls     = false       # ... and its CDN reads the bucket over HTTP
secret_recovery_window_days = 0           # local stacks are rebuilt often; on AWS a deleted secret stays restorable
# Alert emails land in the emulator's SES outbox: GET http://localhost:4566/_ministack/ses/messages
alert_sender_email = "alerts@tvguide.local"
# Pushes go to the real push services on AWS; locally, also to a push service stub on this machine (tests).
push_service_origins = [
  "https://fcm.googleapis.com", "https://updates.push.services.mozilla.com", "https://web.push.apple.com",
  "http://127.0.0.1:*",
]
