// graphql-ws's browser client, which the hub serves at /dashboard/vendor/graphql-ws/ from node_modules
// (src/http/static.ts): its own types, so the 大屏's use of it is checked against the library.
export { createClient } from 'graphql-ws/client';
export type { Client, ClientOptions } from 'graphql-ws/client';
