import { z } from 'zod';
import { v2Actions } from './actions.ts';

/**
 * A node as etcd v2 prints it. Fields that are empty are absent, never null: a file has
 * `value` (possibly ""), a directory has `dir: true` and `nodes` only when listed and not
 * empty; `expiration` and `ttl` only when the node has a TTL (`ttl` is left out when it
 * rounds to 0); the root has neither `key` nor indexes.
 *
 * The property order here is etcd's JSON order; producers build objects in this order so
 * that `JSON.stringify` prints the same bytes as etcd.
 */
export interface V2Node {
  readonly key?: string;
  readonly value?: string;
  readonly dir?: true;
  /** RFC 3339 in UTC with up to nine fraction digits, trailing zeros removed (Go's RFC3339Nano). */
  readonly expiration?: string;
  /** Remaining seconds, rounded up; may be 0 (then absent) or negative on an overdue key. */
  readonly ttl?: number;
  readonly nodes?: readonly V2Node[];
  readonly modifiedIndex?: number;
  readonly createdIndex?: number;
}

export interface V2Response {
  readonly action: (typeof v2Actions)[number];
  readonly node: V2Node;
  readonly prevNode?: V2Node;
}

/** The JSON body of every v2 error: `{"errorCode","message","cause"?,"index"}`. */
export interface V2ErrorBody {
  readonly errorCode: number;
  readonly message: string;
  readonly cause?: string;
  readonly index: number;
}

const indexSchema = z.number().int().nonnegative();

export const v2NodeSchema: z.ZodType<V2Node> = z.lazy(() =>
  z.strictObject({
    key: z.string().optional(),
    value: z.string().optional(),
    dir: z.literal(true).optional(),
    expiration: z.string().optional(),
    ttl: z.number().int().optional(),
    nodes: z.array(v2NodeSchema).optional(),
    modifiedIndex: indexSchema.optional(),
    createdIndex: indexSchema.optional(),
  }),
);

export const v2ResponseSchema: z.ZodType<V2Response> = z.strictObject({
  action: z.enum(v2Actions),
  node: v2NodeSchema,
  prevNode: v2NodeSchema.optional(),
});

export const v2ErrorBodySchema: z.ZodType<V2ErrorBody> = z.strictObject({
  errorCode: z.number().int(),
  message: z.string(),
  cause: z.string().optional(),
  index: indexSchema,
});
