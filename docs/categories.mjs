// @ts-check
/**
 * A TypeDoc plugin that groups nabla's exports by the part of the library they come from: each
 * export without its own `@category` tag gets the category of its source file (the table below), so
 * the reference lists "Tensors", "Operations", "Transforms", "Layers", … instead of one alphabetical
 * list of ~300 names. A `@category` tag in a doc comment wins. A new file falls in its directory's
 * row (src/models → Models, …); an export from outside src/ is an error.
 */
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Comment, CommentTag, Converter, ReflectionKind } from 'typedoc'

const root = fileURLToPath(new URL('..', import.meta.url))

/** First match wins: [source path prefix (from the repository root), category]. */
const table = [
  ['src/shapes/dtype.ts', 'Tensors'],
  ['src/shapes', 'Shape types'],
  ['src/tensor/errors.ts', 'Errors'],
  ['src/platform', 'Runtime'],
  ['src/format', 'Tensors'],
  ['src/io', 'Tensors'],
  ['src/conv/shapes.ts', 'Shape types'],
  ['src/conv', 'Operations'],
  ['src/einsum/types.ts', 'Shape types'],
  ['src/einsum', 'Operations'],
  ['src/tensor/ops', 'Operations'],
  ['src/tensor/ops.ts', 'Operations'],
  ['src/tensor/shape.ts', 'Shape types'],
  ['src/tensor/dtype.ts', 'Tensors'],
  ['src/tensor/kernels', 'Runtime'],
  ['src/tensor/budget.ts', 'Runtime'],
  ['src/tensor/dispatch.ts', 'Runtime'],
  ['src/tensor/prim.ts', 'Runtime'],
  ['src/tensor', 'Tensors'],
  ['src/tree', 'Pytrees'],
  ['src/grad', 'Transforms'],
  ['src/vmap', 'Transforms'],
  ['src/jit', 'Compilation'],
  ['src/inspect', 'Inspection'],
  ['src/models/layer.ts', 'Layers'],
  ['src/models/sequential.ts', 'Layers'],
  ['src/models/layers', 'Layers'],
  ['src/models/registry', 'Layers'],
  ['src/models/activations.ts', 'Layers'],
  ['src/models/init.ts', 'Initialisers'],
  ['src/models/losses.ts', 'Losses and metrics'],
  ['src/models/metrics.ts', 'Losses and metrics'],
  ['src/models/validate.ts', 'Losses and metrics'],
  ['src/models/optim', 'Optimizers'],
  ['src/models/train', 'Training'],
  ['src/models/plot.ts', 'Training'],
  ['src/models/random', 'Randomness'],
  ['src/models/data', 'Data'],
  ['src/models/serialize', 'Saving and loading'],
  ['src/models/checkpoint.ts', 'Saving and loading'],
  ['src/models/fs.ts', 'Errors'],
  ['src/models', 'Models'],
  ['src/testing/arbitraries.ts', 'Arbitraries'],
  ['src/testing/check.ts', 'Gradient checking'],
  ['src/testing/programs', 'Random programs'],
  ['src/testing', 'Testing'],
]

/** @param {string} file */
const categoryOf = (file) => table.find(([prefix]) => file === prefix || file.startsWith(`${prefix}/`) || file.startsWith(prefix))?.[1]

/** @param {import('typedoc').Reflection} reflection */
const hasCategory = (reflection) => {
  const comments = [reflection.comment]
  if (reflection.isDeclaration()) for (const s of reflection.signatures ?? []) comments.push(s.comment)
  return comments.some((c) => c?.blockTags.some((tag) => tag.tag === '@category'))
}

/** @param {import('typedoc').Application} app */
export const load = (app) => {
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    for (const module of context.project.getChildrenByKind(ReflectionKind.Module)) {
      for (const child of module.children ?? []) {
        if (hasCategory(child)) continue
        const source = child.sources?.[0]?.fullFileName
        const file = source === undefined ? undefined : relative(root, source)
        const category =
          child.kindOf(ReflectionKind.Class) && child.name.endsWith('Error')
            ? 'Errors'
            : file === undefined
              ? undefined
              : categoryOf(file)
        if (category === undefined) {
          app.logger.error(`${child.name} (${file ?? 'no source'}) is in no category of docs/categories.mjs`)
          continue
        }
        const tag = new CommentTag('@category', [{ kind: 'text', text: category }])
        const target = child.signatures?.[0] ?? child
        if (target.comment === undefined) target.comment = new Comment([], [tag])
        else target.comment.blockTags.push(tag)
      }
    }
  })
}
