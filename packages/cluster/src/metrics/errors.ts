import { ClusterfunkError } from '@clusterfunk/core'

/** A series was created twice under one name with a different type, label names or buckets. */
export class MetricConflictError extends ClusterfunkError {
  static readonly code = 'ERR_METRIC_CONFLICT'
  /** The series name at fault. */
  readonly metric: string
  constructor (metric: string, message: string) {
    super(`metric ${metric}: ${message}`, MetricConflictError.code)
    this.name = 'MetricConflictError'
    this.metric = metric
  }
}
