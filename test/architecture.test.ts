import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The layers, as the import graph shows them (issue 13): jobs/ is the outer layer (the BullMQ
// adapter and thin processors); the domain in src/ reaches it only through the JobQueue port, and
// only the entry points wire it in. Resolvers stay thin: no repository, queue or database but types.

const root = resolve(import.meta.dirname, '..');
const entryPoints = new Set(['src/main.ts', 'src/cli.ts']);

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return name === 'dashboard' ? [] : sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

interface Import {
  from: string;
  /** where it points: a repository-relative path for relative imports, else the package name */
  target: string;
  typeOnly: boolean;
}

function importsOf(file: string): Import[] {
  const source = ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: Import[] = [];
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) && !ts.isExportDeclaration(statement)) continue;
    const specifier = statement.moduleSpecifier;
    if (!specifier || !ts.isStringLiteral(specifier)) continue;
    let typeOnly: boolean;
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly || (!clause.name && named !== undefined && named.length > 0 && named.every((e) => e.isTypeOnly)));
    } else {
      typeOnly = statement.isTypeOnly;
    }
    const text = specifier.text;
    const target = text.startsWith('.') ? relative(root, resolve(root, dirname(file), text)).replace(/\.js$/, '.ts') : text;
    found.push({ from: file, target, typeOnly });
  }
  return found;
}

const srcImports = sourceFiles('src').flatMap(importsOf);

describe('the import graph', () => {
  it('has no file under src/ but the entry points importing jobs/', () => {
    const offending = srcImports.filter((i) => !entryPoints.has(i.from) && i.target.startsWith('jobs/') && !i.typeOnly);
    expect(offending.map((i) => `${i.from} → ${i.target}`)).toEqual([]);
    // and the entry points do wire it in (the check above is not vacuous)
    expect(srcImports.some((i) => i.from === 'src/main.ts' && i.target.startsWith('jobs/'))).toBe(true);
  });

  it('keeps resolvers thin: no repository, queue or database but for types', () => {
    const forbidden = (target: string) =>
      /\.repository\.ts$/.test(target) ||
      target.startsWith('jobs/') ||
      target.startsWith('drizzle/') ||
      target === 'src/db/database.ts' ||
      ['bullmq', 'ioredis', 'pg', 'drizzle-orm', '@electric-sql/pglite'].includes(target);
    const resolvers = srcImports.filter((i) => i.from.endsWith('.resolver.ts'));
    expect(new Set(resolvers.map((i) => i.from)).size).toBeGreaterThan(5);
    const offending = resolvers.filter((i) => forbidden(i.target) && !i.typeOnly);
    expect(offending.map((i) => `${i.from} → ${i.target}`)).toEqual([]);
  });

  it('keeps tooling out of the runtime: nothing under src/ or jobs/ imports tools/', () => {
    const all = [...srcImports, ...sourceFiles('jobs').flatMap(importsOf)];
    expect(all.filter((i) => i.target.startsWith('tools/')).map((i) => `${i.from} → ${i.target}`)).toEqual([]);
  });
});
