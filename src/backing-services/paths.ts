/** Where the local services keep their state, logs and downloads, resolved from config. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/config.js';

/** The repository root, so `hma services …` behaves the same from any working directory. */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ServicePaths {
  /** Pid files, logs and Kafka's data (SERVICES_DIR). */
  readonly run: string;
  /** Unpacked downloads and resolved classpaths (CACHE_DIR); Maven keeps the jars in ~/.m2. */
  readonly cache: string;
}

export function servicePaths(cfg: Pick<Config, 'SERVICES_DIR' | 'CACHE_DIR'>): ServicePaths {
  return {
    run: path.resolve(projectRoot, cfg.SERVICES_DIR),
    cache: path.resolve(projectRoot, cfg.CACHE_DIR),
  };
}
