// Allocation bound for decoders: while a decoder call runs under measure(), every Buffer the engine asks for
// (Buffer.alloc, allocUnsafe, allocUnsafeSlow, concat, and SlabAllocator.alloc, the table reader's block
// memory) is counted BEFORE it is made, and a request that would take the call past its budget throws
// AllocationBudgetExceeded instead of allocating. Budget: 4 bytes per input byte plus 64 KiB. So a length
// field claiming 4 GiB fails the run at once, without touching 4 GiB.
// Not counted: strings (decodeBlock returns keys as strings; their total is the decoded key bytes, which is
// what the block encodes) and typed arrays made with `new`; the engine's decoders make neither from lengths
// they read. The driver also checks the heap after every chunk of inputs (fuzz.ts) as a backstop.
import { SlabAllocator } from '../../../src/util/slab-allocator.js';

export const BYTES_PER_INPUT_BYTE = 4;
export const FIXED_ALLOWANCE = 64 * 1024;

export class AllocationBudgetExceeded extends Error {
  constructor(requested: number, used: number, budget: number) {
    super(`allocation of ${requested} bytes after ${used}, over the budget of ${budget} bytes`);
    this.name = 'AllocationBudgetExceeded';
  }
}

let budget = Infinity;
let used = 0;
let depth = 0; // > 0 inside an allocation the meter already counted (e.g. a slab behind SlabAllocator.alloc)

function charge(n: number): void {
  if (depth > 0 || budget === Infinity || !(n > 0)) return;
  if (used + n > budget) throw new AllocationBudgetExceeded(n, used, budget);
  used += n;
}

function wrap<F extends (...args: never[]) => unknown>(f: F, size: (...args: Parameters<F>) => number): F {
  return function (this: unknown, ...args: Parameters<F>): unknown {
    charge(size(...args));
    depth++;
    try {
      return f.apply(this, args);
    } finally {
      depth--;
    }
  } as F;
}

let installed = false;

/** Patches the allocators once per process; outside measure() they count nothing. */
export function installAllocMeter(): void {
  if (installed) return;
  installed = true;
  const B = Buffer as unknown as Record<string, (...a: never[]) => unknown>;
  const firstNumber = (n: unknown): number => (typeof n === 'number' ? n : 0);
  for (const name of ['alloc', 'allocUnsafe', 'allocUnsafeSlow'])
    B[name] = wrap(B[name]!.bind(Buffer), firstNumber);
  B.concat = wrap(B.concat!.bind(Buffer), (list: unknown, total?: unknown) => {
    if (typeof total === 'number') return total;
    let n = 0;
    for (const b of list as Uint8Array[]) n += b.length;
    return n;
  });
  const proto = SlabAllocator.prototype as unknown as { alloc: (n: number) => Buffer };
  proto.alloc = wrap(proto.alloc, firstNumber);
}

/** Runs `f` with a budget of 4 x inputBytes + 64 KiB bytes of Buffer allocations. */
export function measure<T>(inputBytes: number, f: () => T): T {
  const saveBudget = budget;
  const saveUsed = used;
  budget = BYTES_PER_INPUT_BYTE * inputBytes + FIXED_ALLOWANCE;
  used = 0;
  try {
    return f();
  } finally {
    budget = saveBudget;
    used = saveUsed;
  }
}
