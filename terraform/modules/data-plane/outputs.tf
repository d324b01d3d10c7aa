output "table_name" {
  value = aws_dynamodb_table.data.name
}

output "table_arn" {
  value = aws_dynamodb_table.data.arn
}

output "table_stream_arn" {
  value = aws_dynamodb_table.data.stream_arn
}

output "title_stream_name" {
  value = aws_kinesis_stream.titles.name
}

output "title_stream_arn" {
  value = aws_kinesis_stream.titles.arn
}

output "watchmode_secret_arn" {
  value = aws_secretsmanager_secret.watchmode.arn
}

output "watchmode_secret_name" {
  value = aws_secretsmanager_secret.watchmode.name
}

output "dlq_urls" {
  value = { for k, q in aws_sqs_queue.dlq : k => q.url }
}

output "dlq_arns" {
  value = { for k, q in aws_sqs_queue.dlq : k => q.arn }
}

output "web_push_secret_arn" {
  description = "The VAPID key pair's secret (empty until the viewer API makes the keys)."
  value       = aws_secretsmanager_secret.web_push.arn
}
