export { AuthApi, AuthApiError, type AuthRoleDetails, type PermissionKind } from './auth.ts';
export { ConcordClient, type TtlOptions, type WaitOptions } from './client.ts';
export type { CallOptions } from './cluster.ts';
export {
  ClusterError,
  EndpointError,
  type EndpointErrorKind,
  InvalidResponseError,
  NoEndpointsError,
  TotalTimeoutError,
} from './cluster-error.ts';
export { goQueryEscape } from './go-query.ts';
export type { DeleteRequest, GetRequest, SetRequest, WaitRequest } from './key-requests.ts';
export { type Member, MembersError } from './members.ts';
export type { ClientOptions, RequestDescription, TlsOptions } from './options.ts';
export type { HttpReply } from './transport.ts';
