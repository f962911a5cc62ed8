import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { schemaSdl } from '../src/http/schema.js';

/** Regenerates schema/schema.graphql from the code (npm run schema). */
writeFileSync(new URL('../schema/schema.graphql', import.meta.url), await schemaSdl());
console.log('schema/schema.graphql written');
