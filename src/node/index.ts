/** `sobolev-webgpu/node`: the library in Node on Dawn (the `webgpu` package, an optional peer
 *  dependency imported only here): contexts (createNodeContext) and the sweep pool on
 *  worker_threads (createNodePool). Everything else comes from `sobolev-webgpu` itself. */
export { createNodeContext, type NodeContextOptions } from './context';
export { createNodePool, type NodePoolOptions } from './pool';
export { VulkanNotFoundError } from './vulkan';
