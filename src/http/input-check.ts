import {
  GraphQLError,
  Kind,
  TypeInfo,
  getNamedType,
  isInputObjectType,
  isListType,
  isNonNullType,
  typeFromAST,
  valueFromAST,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';

/**
 * What any argument may hold, whatever its field: checked on the coerced variables and the
 * document's literal arguments before anything runs, so a value PostgreSQL would refuse (a NUL, an
 * id that is not a number) or one that would cost more than it is worth is the caller's 400.
 */
export const inputLimits = {
  /** every ID in this schema is a database serial */
  maxId: 2_147_483_647,
  /** a list of ids (markNotificationsRead) */
  maxIds: 1_000,
  /** any other list (a batch of observations is at most 5,000, checked by its service) */
  maxListLength: 10_000,
  /** any string; fields have tighter limits of their own (a report is 20,000 characters) */
  maxStringLength: 100_000,
  /** JSON arguments (feed mappings, pagination, GraphQL variables) */
  maxJsonDepth: 10,
  maxJsonLength: 64 * 1024,
};

interface Problem {
  field: string;
  message: string;
}

// PostgreSQL's text and jsonb cannot hold NUL: refused here, a 400, rather than by the database, a 500
const nulMessage = 'control characters such as NUL (\\u0000) are not allowed in text';

const shown = (text: string) => JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);

/** The depth of a JSON value (a scalar is 0), counted no further than `limit + 1`. */
function jsonDepth(value: unknown, limit: number): number {
  if (value === null || typeof value !== 'object') return 0;
  if (limit < 0) return 1;
  let deepest = 0;
  for (const child of Array.isArray(value) ? value : Object.values(value)) {
    deepest = Math.max(deepest, jsonDepth(child, limit - 1));
    if (deepest > limit) break;
  }
  return 1 + deepest;
}

function scalarProblem(typeName: string, value: unknown): string | undefined {
  switch (typeName) {
    case 'ID': {
      const text = String(value);
      if (!/^[1-9]\d{0,9}$/.test(text) || Number(text) > inputLimits.maxId) {
        return `an id is a whole number from 1 to ${inputLimits.maxId}, not ${shown(text)}`;
      }
      return undefined;
    }
    case 'String': {
      const text = value as string;
      if (text.length > inputLimits.maxStringLength) return `at most ${inputLimits.maxStringLength} characters, not ${text.length}`;
      if (text.includes('\u0000')) return nulMessage;
      return undefined;
    }
    case 'JSON':
    case 'JSONObject': {
      const depth = jsonDepth(value, inputLimits.maxJsonDepth);
      if (depth > inputLimits.maxJsonDepth) return `nested more than ${inputLimits.maxJsonDepth} levels deep`;
      const text = JSON.stringify(value) ?? '';
      if (text.length > inputLimits.maxJsonLength) return `at most ${inputLimits.maxJsonLength} characters of JSON, not ${text.length}`;
      // JSON writes NUL as \u0000 (a backslash of the text itself is written \\)
      if (/(?<!\\)(?:\\\\)*\\u0000/.test(text)) return nulMessage;
      return undefined;
    }
    default:
      return undefined;
  }
}

function walk(value: unknown, type: GraphQLInputType, path: string, problems: Problem[]): void {
  if (value === null || value === undefined || problems.length >= 20) return;
  if (isNonNullType(type)) return walk(value, type.ofType, path, problems);
  if (isListType(type)) {
    const items = Array.isArray(value) ? value : [value];
    const ids = getNamedType(type).name === 'ID';
    const max = ids ? inputLimits.maxIds : inputLimits.maxListLength;
    if (items.length > max) {
      problems.push({ field: path, message: `at most ${max} ${ids ? 'ids' : 'items'}, not ${items.length}` });
      return;
    }
    items.forEach((item, i) => walk(item, type.ofType, `${path}[${i}]`, problems));
    return;
  }
  if (isInputObjectType(type)) {
    const fields = type.getFields();
    for (const [name, child] of Object.entries(value as Record<string, unknown>)) {
      const field = fields[name];
      if (field) walk(child, field.type, `${path}.${name}`, problems);
    }
    return;
  }
  const problem = scalarProblem(type.name, value);
  if (problem) problems.push({ field: path, message: problem });
}

/**
 * Checks the operation's variables (as coerced) and its literal arguments; the error names the
 * variable path (`input.roundId`, `ids[3]`) or, for a literal, the argument path.
 */
export function checkInputs(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): GraphQLError | undefined {
  const problems: Problem[] = [];
  for (const definition of operation.variableDefinitions ?? []) {
    const type = typeFromAST(schema, definition.type);
    if (type) walk(variables[definition.variable.name.value], type as GraphQLInputType, definition.variable.name.value, problems);
  }
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument(node) {
        const argument = typeInfo.getArgument();
        // a variable is checked once, above, under its own name
        if (!argument || node.value.kind === Kind.VARIABLE) return;
        walk(valueFromAST(node.value, argument.type, variables), argument.type, node.name.value, problems);
      },
    }),
  );
  if (problems.length === 0) return undefined;
  const [first] = problems;
  // an item of a batch is also named by its index, as the services name it (`input[3].ref`: 3)
  const index = /^[^.[]+\[(\d+)\]/.exec(first.field)?.[1];
  return new GraphQLError(`${first.field}: ${first.message}`, {
    extensions: {
      code: 'BAD_USER_INPUT',
      field: first.field,
      ...(index === undefined ? {} : { index: Number(index) }),
      problems,
      http: { status: 400 },
    },
  });
}
