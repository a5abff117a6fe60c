/**
 * Every error code etcd v2 defines, with the message etcd prints and the HTTP status it
 * answers with. Messages are byte-for-byte etcd's (including its capitalisation); codes
 * without an entry in etcd's status table answer 400, as etcd does, which is why 104, 107
 * and the 4xx watcher codes are 400 and not 403.
 *
 * README.md in this package documents the same table; errors.test.ts keeps them in step.
 */
export const etcdErrorCatalogue = {
  100: { name: 'KeyNotFound', message: 'Key not found', httpStatus: 404 },
  101: { name: 'CompareFailed', message: 'Compare failed', httpStatus: 412 },
  102: { name: 'NotFile', message: 'Not a file', httpStatus: 403 },
  103: { name: 'NoMorePeer', message: 'Reached the max number of peers in the cluster', httpStatus: 400 },
  104: { name: 'NotDirectory', message: 'Not a directory', httpStatus: 400 },
  105: { name: 'NodeExists', message: 'Key already exists', httpStatus: 412 },
  106: { name: 'KeyIsPreserved', message: 'The prefix of given key is a keyword in etcd', httpStatus: 400 },
  107: { name: 'RootReadOnly', message: 'Root is read only', httpStatus: 400 },
  108: { name: 'DirectoryNotEmpty', message: 'Directory not empty', httpStatus: 403 },
  109: { name: 'ExistingPeerAddress', message: 'Peer address has existed', httpStatus: 400 },
  110: { name: 'Unauthorized', message: 'The request requires user authentication', httpStatus: 401 },

  200: { name: 'ValueRequired', message: 'Value is Required in POST form', httpStatus: 400 },
  201: { name: 'PrevValueRequired', message: 'PrevValue is Required in POST form', httpStatus: 400 },
  202: { name: 'TtlNotANumber', message: 'The given TTL in POST form is not a number', httpStatus: 400 },
  203: { name: 'IndexNotANumber', message: 'The given index in POST form is not a number', httpStatus: 400 },
  204: { name: 'ValueOrTtlRequired', message: 'Value or TTL is required in POST form', httpStatus: 400 },
  205: {
    name: 'TimeoutNotANumber',
    message: 'The given timeout in POST form is not a number',
    httpStatus: 400,
  },
  206: { name: 'NameRequired', message: 'Name is required in POST form', httpStatus: 400 },
  207: { name: 'IndexOrValueRequired', message: 'Index or value is required', httpStatus: 400 },
  208: { name: 'IndexValueMutex', message: 'Index and value cannot both be specified', httpStatus: 400 },
  209: { name: 'InvalidField', message: 'Invalid field', httpStatus: 400 },
  210: { name: 'InvalidForm', message: 'Invalid POST form', httpStatus: 400 },
  211: { name: 'RefreshValue', message: 'Value provided on refresh', httpStatus: 400 },
  212: { name: 'RefreshTtlRequired', message: 'A TTL must be provided on refresh', httpStatus: 400 },

  300: { name: 'RaftInternal', message: 'Raft Internal Error', httpStatus: 500 },
  301: { name: 'LeaderElection', message: 'During Leader Election', httpStatus: 500 },

  400: { name: 'WatcherCleared', message: 'watcher is cleared due to etcd recovery', httpStatus: 400 },
  401: {
    name: 'EventIndexCleared',
    message: 'The event in requested index is outdated and cleared',
    httpStatus: 400,
  },
  402: { name: 'StandbyInternal', message: 'Standby Internal Error', httpStatus: 400 },
  403: { name: 'InvalidActiveSize', message: 'Invalid active size', httpStatus: 400 },
  404: { name: 'InvalidRemoveDelay', message: 'Standby remove delay', httpStatus: 400 },

  500: { name: 'ClientInternal', message: 'Client Internal Error', httpStatus: 500 },
} as const satisfies Record<number, { name: string; message: string; httpStatus: number }>;

export type EtcdErrorCode = keyof typeof etcdErrorCatalogue;
export type EtcdErrorName = (typeof etcdErrorCatalogue)[EtcdErrorCode]['name'];

/** The codes by name, so callers write `etcdErrorCodes.KeyNotFound` instead of a bare 100. */
export const etcdErrorCodes = Object.fromEntries(
  Object.entries(etcdErrorCatalogue).map(([code, entry]) => [entry.name, Number(code)]),
) as { readonly [Name in EtcdErrorName]: EtcdErrorCodeOf<Name> };

type EtcdErrorCodeOf<Name extends EtcdErrorName> = {
  [Code in EtcdErrorCode]: (typeof etcdErrorCatalogue)[Code]['name'] extends Name ? Code : never;
}[EtcdErrorCode];

export function isEtcdErrorCode(code: number): code is EtcdErrorCode {
  return Object.hasOwn(etcdErrorCatalogue, code);
}
