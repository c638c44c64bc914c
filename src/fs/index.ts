// The io layer's public names (DESIGN.md, layer io): the FileSystem interface, the node:fs implementation,
// the in-memory one and the fault-injecting, crash-simulating one built on it.
export type { FileLockHandle, FileSystem, RandomAccessFile, WritableFile } from './file-system.js';
export { NodeFileSystem } from './node-fs.js';
export { MemoryFileSystem } from './memory-fs.js';
export {
  CRASHED,
  FaultInjectingFileSystem,
  type CrashMode,
  type CrashOptions,
  type FaultInjectingOptions,
  type FaultOptions,
  type FsCall,
  type FsOp,
} from './fault-fs.js';
