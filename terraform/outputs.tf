output "table_name" {
  value = module.data_plane.table_name
}

output "title_stream_name" {
  value = module.data_plane.title_stream_name
}

output "watchmode_secret_name" {
  value = module.data_plane.watchmode_secret_name
}

output "dlq_urls" {
  value = module.data_plane.dlq_urls
}

output "alarm_topic_arn" {
  value = aws_sns_topic.alarms.arn
}

output "functions" {
  description = "The product's functions by role."
  value = {
    reference  = module.reference.function_name
    ingestion  = module.ingestion.function_name
    consumer   = module.consumer.function_name
    enrichment = module.enrichment.function_name
    backfill   = module.enrichment.backfill_function_name
  }
}

output "log_groups" {
  value = {
    reference  = module.reference.log_group_name
    ingestion  = module.ingestion.log_group_name
    consumer   = module.consumer.log_group_name
    enrichment = module.enrichment.log_group_name
  }
}
