/**
 * Browser build of the engine: the same CLI, engine and simulated data plane over an in-memory
 * store. Building this with platform=browser (scripts/build.mjs) proves the core imports no Node module.
 */
export { Engine } from './engine/engine.js';
export { EngineHost } from './cli/engine-host.js';
export { MemoryStore } from './store/store.js';
export { dispatch } from './cli/main.js';
export { createApiApp } from './api/app.js';
export { BufferIo } from './cli/io.js';
export { SeededRandom, SteppingClock, CryptoRandom, systemClock } from './core/ports.js';
