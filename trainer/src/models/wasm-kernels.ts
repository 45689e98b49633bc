/**
 * Kernels that the WebAssembly backend of TensorFlow.js 4.22 lacks and asyncrl's networks need.
 *
 * The convolutional network (conv.ts) runs Conv2D/FusedConv2D, Reshape, _FusedMatMul, BatchMatMul,
 * Transpose, Multiply, Step and Sum forwards and backwards; of those kernels, and of the ones tfjs's own
 * gradients of conv2d, fused conv2d and relu call (Conv2DBackpropInput, Conv2DBackpropFilter, Step,
 * Sum), the wasm backend has all but **Conv2DBackpropFilter**, the gradient of a convolution with
 * respect to its filter. (tfjs-core has no separate ReluGrad kernel: relu's gradient is dy ⊙ step(x).)
 * Also missing on wasm, but unused here: DepthwiseConv2dNativeBackpropFilter/Input.
 *
 * Conv2DBackpropFilter is registered here as im2col followed by one matrix product on the backend's
 * BatchMatMul kernel (XNNPACK):
 *
 *     dW[kh, kw, ci, co] = Σ_{n, oh, ow} x[n, oh·s_h + kh − pad_top, ow·s_w + kw − pad_left, ci] · dy[n, oh, ow, co]
 *                        = (patchesᵀ · dy)[(kh, kw, ci), co]
 *
 * with patchesᵀ [KH·KW·Cin, N·OH·OW] written straight from the wasm heap (zeros where a patch reaches
 * into the padding), so any stride and padding ('valid', 'same', explicit) is handled. In one
 * measurement (batch 20, 10×10×7 input, 16 filters 3×3) it took 0.3–0.7 ms, against ~1.5–7 ms for plain
 * JavaScript loops and ~3 ms for the backend's Conv3DBackpropFilterV2 with a depth of 1; with patches
 * laid out [N·OH·OW, KH·KW·Cin] and a transposed product it took ~3.5 ms (transposed matMul is slow on
 * wasm). Only NHWC (channels-last) data, like the wasm Conv2D kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

const BACKEND = 'wasm';

function conv2dBackpropFilter({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const wasm = backend as BackendWasm;
  const { x, dy } = inputs as unknown as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(dataFormat),
  );
  if (info.dataFormat !== 'channelsLast') throw new Error(`wasm Conv2DBackpropFilter (asyncrl): only dataFormat 'NHWC' is supported, got '${dataFormat}'`);
  if (x.dtype !== 'float32' || dy.dtype !== 'float32')
    throw new Error(`wasm Conv2DBackpropFilter (asyncrl): float32 tensors only, got x ${x.dtype}, dy ${dy.dtype}`);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
  const rows = filterHeight * filterWidth * inChannels;
  const cols = batchSize * outHeight * outWidth;

  // Allocate before taking views of the heap: an allocation may grow the wasm memory and detach them.
  const patches = wasm.makeOutput([1, rows, cols], 'float32');
  const pt = wasm.typedArrayFromHeap(patches) as Float32Array;
  const xs = wasm.typedArrayFromHeap(x) as Float32Array;
  for (let kh = 0; kh < filterHeight; kh++) {
    for (let kw = 0; kw < filterWidth; kw++) {
      for (let c = 0; c < inChannels; c++) {
        const rowStart = ((kh * filterWidth + kw) * inChannels + c) * cols;
        let p = rowStart;
        for (let n = 0; n < batchSize; n++) {
          for (let oh = 0; oh < outHeight; oh++) {
            const ih = oh * strideHeight + kh - top;
            if (ih < 0 || ih >= inHeight) {
              pt.fill(0, p, p + outWidth);
              p += outWidth;
              continue;
            }
            const rowBase = (n * inHeight + ih) * inWidth;
            for (let ow = 0; ow < outWidth; ow++, p++) {
              const iw = ow * strideWidth + kw - left;
              pt[p] = iw < 0 || iw >= inWidth ? 0 : (xs[(rowBase + iw) * inChannels + c] as number);
            }
          }
        }
      }
    }
  }
  const matMul = tf.getKernel(tf.BatchMatMul, BACKEND);
  if (!matMul) throw new Error('wasm Conv2DBackpropFilter (asyncrl): the wasm backend has no BatchMatMul kernel');
  const dy3: tf.TensorInfo = { dataId: dy.dataId, shape: [1, cols, outChannels], dtype: 'float32' };
  const product = matMul.kernelFunc({ inputs: { a: patches, b: dy3 }, backend: wasm, attrs: { transposeA: false, transposeB: false } }) as tf.TensorInfo;
  wasm.disposeData(patches.dataId);
  // [1, KH·KW·Cin, Cout] is [KH, KW, Cin, Cout] in row-major order: relabel the shape (as Reshape does).
  return { dataId: product.dataId, shape: [filterHeight, filterWidth, inChannels, outChannels], dtype: 'float32' };
}

const KERNELS: readonly tf.KernelConfig[] = [{ kernelName: tf.Conv2DBackpropFilter, backendName: BACKEND, kernelFunc: conv2dBackpropFilter as tf.KernelFunc }];

/**
 * Registers asyncrl's kernels for the wasm backend where the backend has none of that name (so it is
 * idempotent, and a later tfjs that ships its own kernel keeps it). Returns the names registered now.
 */
export function registerWasmKernels(): string[] {
  const added: string[] = [];
  for (const config of KERNELS) {
    if (tf.getKernel(config.kernelName, config.backendName)) continue;
    tf.registerKernel(config);
    added.push(config.kernelName);
  }
  return added;
}

/** The kernel names this module provides for the wasm backend. */
export const WASM_KERNEL_NAMES: readonly string[] = KERNELS.map((k) => k.kernelName);
