/** A wrong flag or an inconsistent cluster configuration: printed as one line, then exit 1. */
export class MemberConfigurationError extends Error {
  override readonly name = 'MemberConfigurationError';
}
