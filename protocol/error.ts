import type { ErrorBody, ErrorCode, ErrorIssue } from './types.js'

/**
 * A request the protocol refuses, with the HTTP status and the code to
 * answer it with. The server turns it into `{ error: { code, message, issues } }`.
 *
 * @example
 * const error = new ProtocolError(413, 'payload_too_large', 'Bodies are limited to 65536 bytes.')
 * error.toBody() // { error: { code: 'payload_too_large', message: '…' } }
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError'
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly issues?: ErrorIssue[],
  ) {
    super(message)
  }

  /** The JSON body to send. */
  toBody(): ErrorBody {
    const error: ErrorBody['error'] = { code: this.code, message: this.message }
    if (this.issues) error.issues = this.issues
    return { error }
  }
}
