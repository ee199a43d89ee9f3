/**
 * TypeScript types of wire protocol v1. Types only: importing them costs the
 * client bundle nothing.
 */

/** A key's version: a non-negative safe integer. A never-written key has the version store's floor (`0` for durable stores). */
export type Version = number

/** The body of `POST /reality/sync`. */
export interface SyncRequest {
  v: 1
  /** For each watched key, the version of the data the client holds, or `null` when it holds none. */
  known: Record<string, Version | null>
  /** Long-poll: hold the request up to this many milliseconds while nothing differs. */
  wait?: number
  /**
   * Stream: answer `application/x-ndjson`, one {@link SyncResponse} per line as
   * changes happen (the first at once, then a heartbeat line at least every
   * 15 s), until the server's `maxStream` lifetime ends. `wait` is ignored.
   */
  stream?: boolean
}

/** What the server says about one changed key. */
export interface ChangedEntry {
  /** The key's current version. */
  version: Version
  /** Content hash given by the writer, if any. Equal hashes mean equal data. */
  hash?: string
  /** Inline value, only when the writer opted in and the client may read the key. */
  payload?: unknown
}

/** The `200` answer to a sync request. */
export interface SyncResponse {
  v: 1
  /** Every requested key whose current version differs from the one sent. */
  changed: Record<string, ChangedEntry>
  /** Keys the authorize hook refused. Their versions are never revealed. */
  denied?: string[]
}

/** The `200` JSON answer to `GET {endpoint}?key=a&key=b` (polling without a body). */
export interface VersionsResponse {
  v: 1
  /** The current version of every requested key the client may read. */
  versions: Record<string, Version>
  /** Keys the authorize hook refused. Their versions are never revealed. */
  denied?: string[]
}

/** The `data` of one `event: change` of the `text/event-stream` answer to `GET {endpoint}?key=…`. */
export interface ChangeEvent extends ChangedEntry {
  key: string
}

/** Machine-readable error codes, one per way a request can fail. */
export type ErrorCode =
  | 'invalid_json'
  | 'duplicate_key'
  | 'invalid_request'
  | 'unsupported_version'
  | 'too_many_keys'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'not_acceptable'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'rate_limited'
  | 'unavailable'
  | 'overloaded'
  | 'request_timeout'
  | 'internal'

/** One problem found in a request, located by its path in the body. */
export interface ErrorIssue {
  path: (string | number)[]
  message: string
}

/** The JSON body of every error response. */
export interface ErrorBody {
  error: {
    code: ErrorCode
    message: string
    issues?: ErrorIssue[]
  }
}
