variable "shared" {
  description = "What every function of the stack shares, built once in the root module (local.shared): passed on whole to the lambda-function module (its `stack`, where the shape is typed), plus the name prefix, the functions' environment and the shared IAM statements (job_tracking, watchmode_budget)."
  type        = any
}

variable "dlq_arn" {
  description = "Dead-letter queue: poison records and the mapping's on-failure destination."
  type        = string
}

variable "parallelization_factor" {
  description = "Batches of one Kinesis shard the consumer processes at once (1-10; in order per title)."
  type        = number
  default     = 5

  validation {
    condition     = var.parallelization_factor >= 1 && var.parallelization_factor <= 10
    error_message = "Kinesis allows 1 to 10 concurrent batches per shard."
  }
}

variable "batch_size" {
  description = "Records per invocation from the stream."
  type        = number
  default     = 100
}

variable "maximum_retry_attempts" {
  description = "Retries of a failing stream batch before it goes to the on-failure queue."
  type        = number
  default     = 5
}

variable "maximum_record_age_seconds" {
  description = "Age after which a stream record is sent to the on-failure queue (-1: never; failures still go after the retries)."
  type        = number
  default     = -1
}

variable "enrichment_function" {
  description = "The enrichment worker (name and ARN), nudged when a batch queues titles for enrichment."
  type        = object({ name = string, arn = string })
}

variable "title_stream_arn" {
  description = "ARN of the title event stream (Kinesis)."
  type        = string
}

variable "dlq_url" {
  description = "URL of the same dead-letter queue, for poison records the function sends itself."
  type        = string
}

