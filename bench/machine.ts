// The machine a bench ran on, recorded in every results JSON (Node only).
import { cpus, hostname, totalmem } from 'node:os';

export interface Machine {
  host?: string;
  cpu: string;
  cores: number;
  memoryBytes: number;
}

export function machineFacts(): Machine {
  return { host: hostname(), cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryBytes: totalmem() };
}
