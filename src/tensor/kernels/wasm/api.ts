/**
 * The slice of the WebAssembly JavaScript API the kernels use, typed here because the project's
 * `lib` setting (ES2023, no DOM) declares no `WebAssembly` global.
 *
 * @module kernels/wasm/api
 */

/** A compiled module (it can be sent to a worker thread). */
export interface WasmModule {
  readonly __wasmModule?: never
}

/** A linear memory. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer
  grow(pages: number): number
}

/** The constructors and functions of the `WebAssembly` global. */
export interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => WasmModule
  readonly Instance: new (
    module: WasmModule,
    imports: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
  ) => { readonly exports: Readonly<Record<string, unknown>> }
  readonly Memory: new (descriptor: { initial: number; maximum: number; shared?: boolean }) => WasmMemory
  validate(bytes: Uint8Array): boolean
}

/** The runtime's `WebAssembly`, when it has one. */
export const webAssembly: WasmApi | undefined = (globalThis as { WebAssembly?: WasmApi }).WebAssembly
