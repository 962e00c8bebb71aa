import type { BuildOptions } from 'esbuild';

export declare const WORKER_BUNDLE_OPTIONS: Readonly<BuildOptions>;
export declare function workerScriptOptions(esmName: string): Readonly<BuildOptions>;
