/**
 * `reality/server/node`: the Node adapter (node:http, Express, Connect,
 * Fastify). Its own entry so that `reality/server` needs no Node types: a
 * Workers or Deno project typechecks `reality/server` without `@types/node`.
 *
 * @packageDocumentation
 */
export { toNodeHandler, type NodeHandler, type NodeCallOptions } from './node-handler.js'
