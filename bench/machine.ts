// The machine a run happened on, recorded with every results file: figures from different machines
// (or different runs on a shared one) are not comparable, so each file says where it came from.
import os from 'node:os';

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  node: string;
  os: string;
  tmpdir: string;
}

export function describeMachine(): Machine {
  return {
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    tmpdir: os.tmpdir(),
  };
}
