/**
 * The ONNX Runtime execution providers an {@link OnnxUnderstandingEncoder} can run on:
 * - `'cpu'`: the CPU provider inside `onnxruntime-node` (always there).
 * - `'webgpu'`: the WebGPU provider bundled with `onnxruntime-node` (Dawn; needs a Vulkan/Metal/D3D12 adapter).
 * - `'cuda'`: NVIDIA CUDA, only when the installation downloaded its CUDA 12 provider libraries (not when
 *   installed with `ONNXRUNTIME_NODE_INSTALL=skip` or with its build script disabled).
 */
export type OnnxExecutionProvider = 'cpu' | 'webgpu' | 'cuda';

/** The providers in the order {@link OnnxExecutionProvider} lists them. */
export const onnxExecutionProviders: readonly OnnxExecutionProvider[] = ['cpu', 'webgpu', 'cuda'];
