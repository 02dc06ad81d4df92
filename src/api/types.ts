/** Options of the API app and the wire shapes its routes return (Docker's PascalCase lives here). */
import type { EngineHost } from '../cli/engine-host.js';
import type { RealRuntime } from './real-runtime.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Facts about the machine and build that only the embedding program knows (`/version`, `/info`). */
export interface ApiInfo {
  /** crosstalk's own version (package.json). */
  crosstalkVersion?: string;
  /** `sim` now; `linux` later. */
  dataPlane?: string;
  /** Daemon host name for `/info` Name (default: the simulated host's name). */
  name?: string;
  kernelVersion?: string;
  operatingSystem?: string;
  /** Go-style architecture name (`amd64`, `arm64`). */
  arch?: string;
  ncpu?: number;
  memTotal?: number;
  /** Where the state lives (reported as DockerRootDir). */
  rootDir?: string;
  /** The JavaScript runtime, e.g. `Node.js v20.19.0` (reported instead of a Go version). */
  runtime?: string;
}

export interface ApiAppOptions {
  host: EngineHost;
  /** Wall clock in nanoseconds for events and `since`/`until` (default: Date.now()). */
  now?: () => bigint;
  info?: ApiInfo;
  /**
   * While anyone waits (`wait`, attach, `events`), poll the store this often for changes other
   * processes committed (ms; 0 disables). Default 1000.
   */
  pollIntervalMs?: number;
  log?: (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;
  /** A real data plane (crosstalkd --data-plane linux); absent: the simulator runs containers. */
  real?: RealRuntime;
  /** Apply restart policies (default true: a daemon). The embedded CLI has no process that outlives a command. */
  restartPolicies?: boolean;
}

export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID: string;
  Command: string;
  Created: number;
  Ports: Array<{ IP?: string; PrivatePort: number; PublicPort?: number; Type: string }>;
  Labels: Record<string, string>;
  State: string;
  Status: string;
  HostConfig: { NetworkMode: string };
  NetworkSettings: { Networks: Record<string, unknown> };
  Mounts: unknown[];
}

export interface ExecInspect {
  ID: string;
  Running: boolean;
  ExitCode: number | null;
  ProcessConfig: { tty: boolean; entrypoint: string; arguments: string[]; privileged: boolean; user?: string };
  OpenStdin: boolean;
  OpenStderr: boolean;
  OpenStdout: boolean;
  CanRemove: boolean;
  ContainerID: string;
  DetachKeys: string;
  Pid: number;
}

export const MEDIA_RAW = 'application/vnd.docker.raw-stream';
export const MEDIA_MUX = 'application/vnd.docker.multiplexed-stream';

/** An exec instance (`POST /containers/{id}/exec`), kept in daemon memory like Docker's. */
export interface ExecRecord {
  id: string;
  containerId: string;
  argv: string[];
  tty: boolean;
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
  detachKeys: string;
  user: string;
  privileged: boolean;
  running: boolean;
  exitCode: number | null;
  pid: number;
  /** Set when the instance has been started (it cannot be started twice). */
  started: boolean;
  env: string[];
  workdir: string;
  /** A real exec's terminal size (set once it runs). */
  resize?: (rows: number, cols: number) => void;
}
