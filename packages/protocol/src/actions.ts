/** The `action` of a v2 response, exactly as etcd spells it on the wire. */
export const v2Actions = [
  'get',
  'set',
  'create',
  'update',
  'delete',
  'compareAndSwap',
  'compareAndDelete',
  'expire',
] as const;

export type V2Action = (typeof v2Actions)[number];

/** Actions that change the store; `get` is the only one that does not. */
export type V2WriteAction = Exclude<V2Action, 'get'>;
