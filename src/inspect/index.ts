/**
 * src/inspect: the computation graph as a picture. `traceGraph` records a function's forward and
 * backward pass; `toDot` draws it as Graphviz DOT.
 *
 * @module inspect
 */
export { type DotOptions, toDot } from './dot.js'
export * from './graph.js'
