import { Field, ObjectType } from 'type-graphql';
import { badInput } from './errors.js';

@ObjectType('PageInfo')
export class PageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

export const encodeCursor = (id: number) => Buffer.from(`id:${id}`, 'utf8').toString('base64url');

export function decodeCursor(cursor: string | null | undefined, field = 'after'): number | undefined {
  if (!cursor) return undefined;
  const match = /^id:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw badInput(field, 'not a cursor this API gave out');
  return Number(match[1]);
}

export function pageSize(first: number | null | undefined, max = 100): number {
  if (first === null || first === undefined) return 20;
  if (first < 1 || first > max) throw badInput('first', `between 1 and ${max}`);
  return first;
}

/** Builds a Relay-style page from rows fetched with one extra (the extra says there is more). */
export function connectionOf<T extends { id: number }>(rows: T[], first: number) {
  const page = rows.slice(0, first);
  return {
    edges: page.map((node) => ({ node, cursor: encodeCursor(node.id) })),
    pageInfo: { hasNextPage: rows.length > first, endCursor: page.length ? encodeCursor(page[page.length - 1].id) : null },
  };
}
