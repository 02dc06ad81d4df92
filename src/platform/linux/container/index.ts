/** The real Linux container runtime: shim processes, exec, images. */
export * from './types.js';
export { LinuxContainerRuntime, updateContainerFile, resolveInRoot, type RuntimeOptions } from './runtime.js';
export { ensureBusyboxImage, importRootfsTar, isStaticElf } from './image.js';
