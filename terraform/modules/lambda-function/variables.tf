variable "stack" {
  description = "What every function of the stack shares, built once in the root module (local.shared; service modules pass their `shared` on whole)."
  type = object({
    layer_arn            = string # the shared tvguide layer
    artifact_bucket      = string # the bucket holding the zips, under each zip's file name
    architecture         = string # x86_64 or arm64 (the layer is built for the same)
    log_retention_days   = number
    log_level            = string # Powertools log level (DEBUG, INFO, WARNING, ERROR)
    alarm_actions        = list(string)
    tags                 = map(string)
    permissions_boundary = optional(string) # the bootstrap's product boundary on AWS; null locally
  })
}

variable "name" {
  description = "Function name (already prefixed)."
  type        = string
}

variable "description" {
  description = "What this is, in the AWS console."
  type        = string
  default     = ""
}

variable "handler" {
  description = "The function's entry point (module.function)."
  type        = string
}

variable "artifact_path" {
  description = "Path of the function's zip, built by `make build` (its hash; the code comes from the bucket)."
  type        = string
}

variable "memory_mb" {
  description = "Memory of the function (CPU grows with it)."
  type        = number
  default     = 256
}

variable "timeout_seconds" {
  description = "The function's time limit."
  type        = number
  default     = 60
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions; -1 leaves the function unreserved."
  type        = number
  default     = -1
}

variable "environment" {
  description = "The function's settings, each set explicitly (the emulator leaks its own environment)."
  type        = map(string)
  default     = {}
}

variable "policy_statements" {
  description = "The IAM statements this function needs, and nothing more (log writing is added here)."
  type = list(object({
    sid       = string
    actions   = list(string)
    resources = list(string)
    conditions = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  }))
}

variable "invokes_itself" {
  description = "Whether the function may invoke itself asynchronously (a job continuing in chunks)."
  type        = bool
  default     = false
}

variable "invoked_asynchronously" {
  description = "Whether schedules or the admin API invoke the function asynchronously (then Lambda does not retry it)."
  type        = bool
  default     = false
}

variable "async_max_retries" {
  description = "Lambda's retries of a failed asynchronous invocation (0: job functions record failures instead)."
  type        = number
  default     = 0
}

variable "schedule" {
  description = "Optional EventBridge schedule that invokes the function."
  type = object({
    expression  = string
    description = string
  })
  default = null
}

variable "stream_source" {
  description = <<-EOT
    Optional Kinesis or DynamoDB stream feeding the function, with AWS's failure handling always on:
    partial batch responses, bisect on error, bounded retries, an on-failure destination; a record age
    of -1 (never discarded for its age: a backlog is the IteratorAge alarm's business, not lost work).
  EOT
  type = object({
    event_source_arn           = string
    batch_size                 = number
    maximum_retry_attempts     = number
    maximum_record_age_seconds = optional(number, -1)
    on_failure_arn             = string
    filter_pattern             = optional(string)
    iterator_age_alarm_seconds = optional(number, 900)
    parallelization_factor     = optional(number, 1) # batches of one shard processed at once (Kinesis: in order per partition key)
  })
  default = null
}

variable "async_dead_letter_arn" {
  description = "SQS queue receiving asynchronous invocations (schedules, admin jobs) that failed every retry."
  type        = string
  default     = null
}

variable "metric_alarms" {
  description = "Alarms on metrics the function counts itself (EMF, namespace UKTVGuide, dimension service = metrics_service): per key, the alarm's name, the metric, what it means, and how many in an hour are worth a look (default: any)."
  type = map(object({
    name        = string
    metric      = string
    description = string
    threshold   = optional(number, 0)
  }))
  default = {}
}

variable "metrics_service" {
  description = "The `service` dimension of the metrics the function counts itself (see metric_alarms)."
  type        = string
  default     = ""
}
