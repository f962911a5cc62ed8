import type { ApolloServerPlugin } from '@apollo/server';
import {
  BREAK,
  GraphQLError,
  Kind,
  getVariableValues,
  parse,
  visit,
  type ASTNode,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type ParseOptions,
  type SelectionSetNode,
  type ValidationContext,
  type ValueNode,
} from 'graphql';
import type { NextFunction, Request, Response } from 'express';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { checkInputs } from './input-check.js';

/**
 * The parser stops at these (Apollo's `parseOptions`): a document is a query, not a payload; batches
 * travel in variables. 100,000 aliases (1 MB) once took over a second and 150 MB to refuse.
 */
export const parseLimits: ParseOptions = { maxSourceLength: 100_000, maxLexicalTokens: 20_000, maxComments: 1_000 };

/** Checked on the parsed document before validation, whose overlap check is quadratic in repeated fields. */
export const shapeLimits = {
  /** fields (aliases included), fragment spreads and inline fragments in one selection set */
  maxSelections: 200,
  /** fields in the whole operation with every fragment spread expanded */
  maxFields: 5_000,
};

/** Refuses operations nested deeper than `maxDepth` fields (introspection fields aside). */
export function depthLimit(maxDepth: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    }
    // each fragment is measured once: a fragment spread twice at every level is not walked 2^n times
    const fragmentDepth = new Map<string, number>();
    const depthOf = (set: SelectionSetNode | undefined, seen: Set<string>): number => {
      if (!set) return 0;
      let deepest = 0;
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          if (selection.name.value.startsWith('__')) continue;
          deepest = Math.max(deepest, 1 + depthOf(selection.selectionSet, seen));
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, depthOf(selection.selectionSet, seen));
        } else {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          if (!fragment || seen.has(name)) continue;
          let depth = fragmentDepth.get(name);
          if (depth === undefined) fragmentDepth.set(name, (depth = depthOf(fragment.selectionSet, new Set([...seen, name]))));
          deepest = Math.max(deepest, depth);
        }
      }
      return deepest;
    };
    return {
      OperationDefinition(node: OperationDefinitionNode) {
        const depth = depthOf(node.selectionSet, new Set());
        if (depth > maxDepth) {
          context.reportError(
            new GraphQLError(`query is ${depth} levels deep; the limit is ${maxDepth}`, {
              nodes: [node],
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
            }),
          );
        }
      },
    };
  };
}

/**
 * Refuses operations whose estimated cost passes `maxCost`. List fields declare their expected size
 * (`complexity` in their field options), so a query over every region of every indicator costs its size.
 */
export function costLimit(maxCost: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema, operation }) {
          // no such operation in the document: Apollo answers OPERATION_RESOLUTION_FAILURE (400) itself
          if (!operation) return;
          // check the variables first, as Apollo would at execution: a bad value is the caller's
          // mistake (400 naming the field), not a fault of the cost estimate that reads them
          const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {}, { maxErrors: 20 });
          if (coerced.errors) throw variablesError(coerced.errors);
          // then what no field may hold: NUL, ids that are not ids, oversized lists, strings and JSON
          const refused = checkInputs(schema, document, operation, coerced.coerced);
          if (refused) throw refused;
          const cost = getComplexity({
            schema,
            query: document,
            operationName: request.operationName ?? undefined,
            variables: request.variables ?? {},
            estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
          });
          if (cost > maxCost) {
            throw new GraphQLError(`query cost ${cost} is over the limit of ${maxCost}; ask for less, or page`, {
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED', cost, maxCost, http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}

/**
 * graphql-js names a bad variable in prose: `Variable "$input" got invalid value … at "input[0]";
 * Field "regionCode" of required type "String!" was not provided.` The field path is what a
 * bureau's engineer needs: `input[0].regionCode`.
 */
export function variableField(message: string): string | undefined {
  const match = /^Variable "\$([^"]+)" got invalid value[\s\S]*?(?: at "([^"]+)")?; ([\s\S]*)$/.exec(message);
  if (!match) return /^Variable "\$([^"]+)"/.exec(message)?.[1];
  const [, name, at, reason] = match;
  const base = at ?? name;
  const field = /^Field "([^"]+)" (?:of required type|is not defined)/.exec(reason)?.[1];
  return field ? `${base}.${field}` : base;
}

function variablesError(errors: readonly GraphQLError[]): GraphQLError {
  const problems = errors.map((e) => ({ field: variableField(e.message) ?? '', message: e.message }));
  return new GraphQLError(errors[0].message, {
    extensions: { code: 'BAD_USER_INPUT', field: problems[0].field, problems, http: { status: 400 } },
  });
}

/** Fields in a selection set with its fragments expanded, each fragment counted once and remembered. */
function expandedFields(document: DocumentNode): { widest: number; fields: number } {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const counted = new Map<string, number>();
  let widest = 0;
  const count = (set: SelectionSetNode | undefined, seen: ReadonlySet<string>): number => {
    if (!set) return 0;
    widest = Math.max(widest, set.selections.length);
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) total += 1 + count(selection.selectionSet, seen);
      else if (selection.kind === Kind.INLINE_FRAGMENT) total += count(selection.selectionSet, seen);
      else {
        const name = selection.name.value;
        if (seen.has(name)) continue; // a cycle: validation reports it
        let n = counted.get(name);
        if (n === undefined) counted.set(name, (n = count(fragments.get(name)?.selectionSet, new Set([...seen, name]))));
        total += n;
      }
    }
    return total;
  };
  let fields = 0;
  for (const def of document.definitions) {
    if (def.kind === Kind.OPERATION_DEFINITION) fields = Math.max(fields, count(def.selectionSet, new Set()));
    else if (def.kind === Kind.FRAGMENT_DEFINITION) count(def.selectionSet, new Set([def.name.value]));
  }
  return { widest, fields };
}

/** The path of a literal value inside the document's arguments (`input[1].value`), if it is one. */
function literalPath(document: DocumentNode, target: ASTNode): string | undefined {
  const search = (value: ValueNode, path: string): string | undefined => {
    if (value === target) return path;
    if (value.kind === Kind.LIST) {
      for (const [i, item] of value.values.entries()) {
        const found = search(item, `${path}[${i}]`);
        if (found) return found;
      }
    } else if (value.kind === Kind.OBJECT) {
      for (const field of value.fields) {
        if (field === target) return `${path}.${field.name.value}`;
        const found = search(field.value, `${path}.${field.name.value}`);
        if (found) return found;
      }
    }
    return undefined;
  };
  let path: string | undefined;
  visit(document, {
    Argument(node) {
      path = search(node.value, node.name.value);
      return path ? BREAK : undefined;
    },
  });
  return path;
}

/** The field a validation error is about: a literal's path, plus the input field a message names. */
function validationField(document: DocumentNode, error: GraphQLError): string | undefined {
  const node = error.nodes?.[0];
  if (!node) return undefined;
  const at = literalPath(document, node);
  // Field "ObservationInput.ref" of required type "String!" was not provided.
  const missing = /^Field "(?:[^".]+\.)?([^".]+)" of required type/.exec(error.message)?.[1];
  if (at) return missing ? `${at}.${missing}` : at;
  // Field "submitObservations" argument "input" of type "[ObservationInput!]!" is required, but it was not provided.
  return /^Field "[^"]+" argument "([^"]+)" of type/.exec(error.message)?.[1];
}

/**
 * What is wrong with a document's shape, checked after parsing and before validation: too many
 * fields in one selection (100,000 aliases, or one field repeated, which makes validation's overlap
 * check quadratic) or too many with fragments expanded (fragments spreading each other twice over).
 */
export function documentShapeProblem(document: DocumentNode, limits = shapeLimits): string | undefined {
  const { widest, fields } = expandedFields(document);
  if (widest > limits.maxSelections) {
    return `${widest} fields in one selection; the limit is ${limits.maxSelections} (send data in variables, ask with fewer aliases)`;
  }
  if (fields > limits.maxFields) return `the query asks for ${fields} fields with its fragments expanded; the limit is ${limits.maxFields}`;
  return undefined;
}

/**
 * Refuses a document of the wrong shape before Apollo validates it (Apollo has no hook between
 * parsing and validation that may refuse with a 400). Parsed with the same limits as Apollo's parser;
 * a document that does not parse is left to Apollo, which answers GRAPHQL_PARSE_FAILED.
 */
export function documentShapeGuard(limits = shapeLimits) {
  return (req: Request, res: Response, next: NextFunction) => {
    const body = req.body as { query?: unknown } | undefined;
    const query = typeof body?.query === 'string' ? body.query : typeof req.query.query === 'string' ? req.query.query : undefined;
    if (query === undefined) return next();
    let document: DocumentNode;
    try {
      document = parse(query, parseLimits);
    } catch {
      return next();
    }
    const problem = documentShapeProblem(document, limits);
    if (!problem) return next();
    res.status(400).json({ errors: [{ message: problem, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] });
  };
}

/** Literal values that fail validation get `extensions.field`, as variables do: `input[1].value`. */
export const literalFields: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async validationDidStart({ document }) {
        return async (errors?: readonly Error[]) => {
          for (const error of errors ?? []) {
            if (!(error instanceof GraphQLError) || error.extensions.field !== undefined) continue;
            const field = validationField(document, error);
            if (field) (error.extensions as Record<string, unknown>).field = field;
          }
        };
      },
    };
  },
};
