import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  getVariableValues,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';

/** Refuses operations nested deeper than `maxDepth` fields (introspection fields aside). */
export function depthLimit(maxDepth: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    }
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
          deepest = Math.max(deepest, depthOf(fragment.selectionSet, new Set([...seen, name])));
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
          // check the variables first, as Apollo would at execution: a bad value is the caller's
          // mistake (400 naming the field), not a fault of the cost estimate that reads them
          const coerced = getVariableValues(schema, operation?.variableDefinitions ?? [], request.variables ?? {}, { maxErrors: 20 });
          if (coerced.errors) throw variablesError(coerced.errors);
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
