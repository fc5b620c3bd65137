/**
 * The demo page: nabla trains a small MLP on two interleaved spirals in the browser, one epoch per
 * animation frame, drawing the loss curve as it goes; then it paints the predicted class over the
 * plane and answers clicks with the class probabilities. Everything comes from the main entry
 * 'nabla', which imports no Node built-in. The page reports its state in `#status[data-state]`
 * and the final test accuracy in `#accuracy[data-value]`, which test/demo/demo.test.ts reads.
 *
 * @module demo/main
 */
import {
  accuracy,
  adam,
  defaultKernels,
  fromArrayOrThrow,
  key,
  mlp,
  permutation,
  predictedClasses,
  softmax,
  softmaxCrossEntropy,
  split,
  type Tensor,
  takeRows,
  toTypedArray,
  trainStep,
  twoSpirals,
} from 'nabla'

const epochs = 30
const batchSize = 32

const element = (id: string): HTMLElement => {
  const found = document.getElementById(id)
  if (found === null) throw new Error(`the page has no #${id}`)
  return found
}

const canvasElement = (id: string): HTMLCanvasElement => {
  const found = element(id)
  if (!(found instanceof HTMLCanvasElement)) throw new Error(`#${id} is not a canvas`)
  return found
}

const status = element('status')
const setStatus = (state: string, text: string): void => {
  status.dataset.state = state
  status.textContent = text
}

const data = twoSpirals(key(0), 400, 0.05, { testSize: 200 })
const net = mlp([2, 64, 64, 2], { activation: 'relu' })
const [initKey, shuffleKey] = split(key(1))
const initialParams = net.init(initKey)
type Params = typeof initialParams
const optimizer = adam(1e-2)
const loss = (p: Params, batch: { x: Tensor<[number, 2], 'float32'>; y: Tensor<[number], 'float32'> }) =>
  softmaxCrossEntropy(net.apply(p, batch.x), batch.y)
const step = trainStep(loss, optimizer)

const drawCurve = (losses: readonly number[]): void => {
  const canvas = canvasElement('curve')
  const g = canvas.getContext('2d')!
  const [w, h, pad] = [canvas.width, canvas.height, 36]
  g.clearRect(0, 0, w, h)
  g.strokeStyle = '#999'
  g.beginPath()
  g.moveTo(pad, 8)
  g.lineTo(pad, h - pad)
  g.lineTo(w - 8, h - pad)
  g.stroke()
  const top = Math.max(...losses, 1e-9)
  g.fillStyle = '#555'
  g.font = '12px sans-serif'
  g.fillText(top.toFixed(2), 2, 16)
  g.fillText('0', pad - 12, h - pad)
  g.fillText(`epoch ${epochs}`, w - 70, h - pad + 16)
  g.strokeStyle = '#1f77b4'
  g.lineWidth = 2
  g.beginPath()
  losses.forEach((value, i) => {
    const x = pad + ((w - pad - 8) * (i + 1)) / epochs
    const y = h - pad - ((h - pad - 8) * value) / top
    if (i === 0) g.moveTo(x, y)
    else g.lineTo(x, y)
  })
  g.stroke()
}

// the plane shown in the map: the spirals lie within [-1.2, 1.2]²
const extent = 1.2
const grid = 60

const drawMap = (params: Params): void => {
  const canvas = canvasElement('map')
  const g = canvas.getContext('2d')!
  const cell = canvas.width / grid
  const points = new Float32Array(grid * grid * 2)
  for (let i = 0; i < grid; i++)
    for (let j = 0; j < grid; j++) {
      points[(i * grid + j) * 2] = -extent + ((j + 0.5) * 2 * extent) / grid
      points[(i * grid + j) * 2 + 1] = extent - ((i + 0.5) * 2 * extent) / grid
    }
  const classes = predictedClasses(net.apply(params, fromArrayOrThrow(points, [grid * grid, 2])))
  classes.forEach((c, k) => {
    g.fillStyle = c === 0 ? '#fdd9b5' : '#c6dbef'
    g.fillRect((k % grid) * cell, Math.floor(k / grid) * cell, cell + 1, cell + 1)
  })
  const xs = toTypedArray(data.xTest)
  const ys = toTypedArray(data.yTest)
  for (let n = 0; n < ys.length; n++) {
    g.fillStyle = ys[n] === 0 ? '#d95f02' : '#1f78b4'
    const px = ((xs[2 * n]! + extent) / (2 * extent)) * canvas.width
    const py = ((extent - xs[2 * n + 1]!) / (2 * extent)) * canvas.height
    g.beginPath()
    g.arc(px, py, 3, 0, 2 * Math.PI)
    g.fill()
  }
  canvas.onclick = (event) => {
    const x = -extent + (event.offsetX / canvas.width) * 2 * extent
    const y = extent - (event.offsetY / canvas.height) * 2 * extent
    const p = toTypedArray(softmax(net.apply(params, fromArrayOrThrow([x, y], [1, 2]))))
    element('probability').textContent =
      `(${x.toFixed(2)}, ${y.toFixed(2)}): spiral A ${(100 * p[0]!).toFixed(1)} %, spiral B ${(100 * p[1]!).toFixed(1)} %`
  }
}

const nextFrame = (): Promise<void> => new Promise((resolve) => requestAnimationFrame(() => resolve()))

const train = async (): Promise<void> => {
  element('kernels').textContent = defaultKernels.name
  setStatus('training', 'training…')
  let params = initialParams
  let state = optimizer.init(params)
  const rows = data.xTrain.shape[0]
  const losses: number[] = []
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = permutation(split(shuffleKey, epochs)[epoch]!, rows)
    let total = 0
    for (let start = 0; start < rows; start += batchSize) {
      const indices = order.slice(start, start + batchSize)
      const batch = { x: takeRows(data.xTrain, indices), y: takeRows(data.yTrain, indices) }
      const result = step(params, state, batch)
      params = result.params
      state = result.state
      total += result.loss * indices.length
    }
    losses.push(total / rows)
    element('epoch').textContent = String(epoch + 1)
    element('loss').textContent = (total / rows).toFixed(4)
    drawCurve(losses)
    await nextFrame()
  }
  const testAccuracy = accuracy(net.apply(params, data.xTest), data.yTest)
  const shown = element('accuracy')
  shown.dataset.value = String(testAccuracy)
  shown.textContent = `${(100 * testAccuracy).toFixed(1)} %`
  status.dataset.firstLoss = String(losses[0])
  status.dataset.lastLoss = String(losses.at(-1))
  drawMap(params)
  setStatus('done', 'done')
}

train().catch((error: unknown) => {
  setStatus('failed', `failed: ${error instanceof Error ? error.message : String(error)}`)
  throw error
})
