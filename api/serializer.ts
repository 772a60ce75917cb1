/**
 * Responses are serialised by fast-json-stringify from the JSON Schema of the route's zod response schema (the
 * same zod definitions that /docs/json describes), not validated by zod on the way out: zod parsing every field of
 * every answer was about 40 % of a page of the inbox (BENCHMARKS.md, S3). The compiled serialiser writes only the
 * properties the schema declares, so a field a service returns by mistake never leaks; a required field missing
 * fails the answer (500), like zod did.
 */
import type { FastifySerializerCompiler } from 'fastify';
import fastJson from 'fast-json-stringify';
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

/** The JSON Schema fast-json-stringify compiles for a zod schema: what the schema emits (io "output"), inlined. */
export function serializationSchemaOf(schema: z.ZodType): Record<string, unknown> {
  // A fresh registry: ids of shared schemas (Order, Problem …) would otherwise turn into $refs to OpenAPI components.
  const json = z.toJSONSchema(schema, { io: 'output', target: 'draft-7', unrepresentable: 'any', cycles: 'ref', reused: 'inline', metadata: z.registry() });
  delete json.$schema;
  return nullableAsTypeList(json) as Record<string, unknown>;
}

/**
 * `anyOf: [{ type: X, … }, { type: 'null' }]` (zod's `.nullable()`) as `type: [X, 'null']`: fast-json-stringify
 * picks an anyOf branch by validating the value against each, a type list by `typeof`.
 */
function nullableAsTypeList(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableAsTypeList);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = nullableAsTypeList(v);
  const anyOf = out.anyOf as Record<string, unknown>[] | undefined;
  if (Array.isArray(anyOf) && anyOf.length === 2 && Object.keys(out).length === 1) {
    const nullAt = anyOf.findIndex((b) => b.type === 'null' && Object.keys(b).length === 1);
    const other = anyOf[1 - nullAt];
    if (nullAt >= 0 && other && typeof other.type === 'string' && other.enum === undefined && other.const === undefined) {
      return { ...other, type: [other.type, 'null'] };
    }
  }
  return out;
}

type Compiler = FastifySerializerCompiler<unknown>;

/**
 * Fastify's serialiser compiler: fast-json-stringify for a zod schema; a schema it cannot take (a transform zod
 * must run on the way out, none today) keeps zod's validating serialiser.
 */
export const serializerCompiler: Compiler = (route) => {
  const schema = route.schema as unknown;
  if (!(schema instanceof z.ZodType)) return (zodSerializerCompiler as unknown as Compiler)(route);
  let stringify: (data: unknown) => string;
  try {
    stringify = fastJson(serializationSchemaOf(schema) as unknown as Parameters<typeof fastJson>[0]) as (data: unknown) => string;
  } catch {
    return (zodSerializerCompiler as unknown as Compiler)(route);
  }
  return (data: unknown) => stringify(data);
};
