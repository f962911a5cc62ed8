import { registerEnumType } from 'type-graphql';

/** A GraphQL enum's values as an object (`{ TARGET: 'TARGET', … }`), what type-graphql registers. */
export type EnumObject<V extends string> = { readonly [K in V]: K };

/**
 * Registers a GraphQL enum built from a list of values declared elsewhere (a drizzle `pgEnum`'s
 * `enumValues`, the statuses of status.ts), so the API never keeps a list of its own. The values
 * keep their order: the schema lists them as the database enum does.
 */
export function graphqlEnum<const V extends string>(values: readonly V[], config: { name: string; description?: string }): EnumObject<V> {
  const enumObject = Object.fromEntries(values.map((value) => [value, value])) as EnumObject<V>;
  registerEnumType(enumObject, config);
  return enumObject;
}
