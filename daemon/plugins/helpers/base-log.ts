// The logging and formatting helpers: super_log (log_msg), ebpf_print_intern (ebpf_print) and
// ebpf_bvsnprintf (ubpf_sprintf). Each reads its format and its values out of the plugin's memory
// (checked: a bad pointer faults the run) and hands them to the printf engine of base-format.ts.
// log_msg and ebpf_print take a `struct vargs` of tagged `struct vtype`s; ubpf_sprintf a counted
// array of uintptr_t (the first is the count of those after it).
import { VmFault, type HelperContext, type HelperFn } from '../../../vm/index.js';
import { LOG_LEVEL_MAP, VARGS, VTYPE, VTYPE_VALUES, type VTypeValue } from '../../../xbgp-api/index.js';
import { asInt32, callOf, intResult, type PluginServices } from '../call.js';
import { format, FormatError, toBytes, toUtf8, type FormatValue } from './base-format.js';

/** Most values one log_msg / ebpf_print / ubpf_sprintf call may pass. */
export const MAX_FORMAT_VALUES = 256;

/** Longest format string, in bytes before the NUL. */
export const MAX_FORMAT_BYTES = 4096;

function servicesOf(ctx: HelperContext): PluginServices {
  const call = callOf(ctx);
  return call.services(call.pluglet!.plugin);
}

/** The C string at `addr` as a byte string (base-format.ts), or the fault of a bad pointer. */
function readBytes(ctx: HelperContext, addr: bigint): string | VmFault {
  const s = ctx.mem.readCString(addr, MAX_FORMAT_BYTES);
  return s instanceof VmFault ? s : toBytes(s);
}

/** One struct vtype's value, by its tag; undefined for an unknown tag. */
function vtypeValue(tag: number, val: DataView): FormatValue | undefined {
  const how: VTypeValue | undefined = VTYPE_VALUES[tag];
  if (how === undefined) return undefined;
  switch (how.kind) {
    case 'pointer':
      return { kind: 'pointer', value: val.getBigUint64(0, true) };
    case 'float':
      return { kind: 'float', value: how.bytes === 4 ? val.getFloat32(0, true) : val.getFloat64(0, true) };
    case 'int': {
      const bits = how.bytes * 8;
      const raw = val.getBigUint64(0, true);
      return { kind: 'int', value: how.signed ? BigInt.asIntN(bits, raw) : BigInt.asUintN(bits, raw) };
    }
  }
}

/**
 * The values of the `struct vargs` at `addr`: the list, FormatError for a bad count or tag, or the
 * fault of a bad pointer. A NULL vargs is no value.
 */
function readVargs(ctx: HelperContext, addr: bigint): FormatValue[] | FormatError | VmFault {
  if (addr === 0n) return [];
  const head = ctx.mem.read(addr, VARGS.size);
  if (head instanceof VmFault) return head;
  const hv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const count = hv.getInt32(VARGS.fields.nb_args.offset, true);
  const at = hv.getBigUint64(VARGS.fields.args.offset, true);
  if (count < 0 || count > MAX_FORMAT_VALUES) return new FormatError(`nb_args ${count} out of range`);
  if (count === 0) return [];
  const list = ctx.mem.read(at, count * VTYPE.size);
  if (list instanceof VmFault) return list;
  const values: FormatValue[] = [];
  for (let i = 0; i < count; i++) {
    const base = list.byteOffset + i * VTYPE.size;
    const tag = new DataView(list.buffer, base + VTYPE.fields.type.offset, 4).getInt32(0, true);
    const v = vtypeValue(tag, new DataView(list.buffer, base + VTYPE.fields.val.offset, 8));
    if (v === undefined) return new FormatError(`argument ${i + 1} has an unknown type tag ${tag}`);
    values.push(v);
  }
  return values;
}

/** The values of a counted uintptr_t array (first = count), each an integer. */
function readCounted(ctx: HelperContext, addr: bigint): FormatValue[] | FormatError | VmFault {
  if (addr === 0n) return [];
  const head = ctx.mem.read(addr, 8);
  if (head instanceof VmFault) return head;
  const count = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true);
  if (count > BigInt(MAX_FORMAT_VALUES))
    return new FormatError(`${count} values (at most ${MAX_FORMAT_VALUES})`);
  const n = Number(count);
  if (n === 0) return [];
  const list = ctx.mem.read(addr + 8n, n * 8);
  if (list instanceof VmFault) return list;
  const view = new DataView(list.buffer, list.byteOffset, list.byteLength);
  const values: FormatValue[] = [];
  for (let i = 0; i < n; i++) values.push({ kind: 'int', value: view.getBigUint64(i * 8, true) });
  return values;
}

/** Format `fmtAddr` with the vargs at `argsAddr`: the byte string, a FormatError, or a fault. */
function formatVargs(ctx: HelperContext, fmt: string, argsAddr: bigint): string | FormatError | VmFault {
  const values = readVargs(ctx, argsAddr);
  if (!Array.isArray(values)) return values;
  return format({ format: fmt, values, readString: (a) => readBytes(ctx, a) });
}

/** A log line: no trailing newline (printf-style formats usually end with one). */
function logLine(bytes: string): string {
  return toUtf8(bytes).replace(/\r?\n$/, '');
}

// ===== super_log (log_msg) =====

/**
 * super_log(msg, args): msg[0] is the level byte (L_DEBUG 1 .. L_BUG 9), the rest the format.
 * 1 when logged; 0 for a bad level byte or a format that cannot be applied (nothing is logged).
 */
const superLog: HelperFn = (msgAddr, argsAddr, _3, _4, _5, ctx) => {
  const msg = readBytes(ctx, msgAddr);
  if (msg instanceof VmFault) return msg;
  const level = LOG_LEVEL_MAP[msg.charCodeAt(0)];
  if (level === undefined) return 0n;
  const text = formatVargs(ctx, msg.slice(1), argsAddr);
  if (text instanceof VmFault) return text;
  if (text instanceof FormatError) return 0n;
  servicesOf(ctx).log(level, logLine(text), callOf(ctx));
  return 1n;
};

// ===== ebpf_print_intern (ebpf_print) =====

/** ebpf_print(format, args): logged at debug level; the bytes formatted, or -1 for a bad format. */
const ebpfPrintIntern: HelperFn = (fmtAddr, argsAddr, _3, _4, _5, ctx) => {
  const fmt = readBytes(ctx, fmtAddr);
  if (fmt instanceof VmFault) return fmt;
  const text = formatVargs(ctx, fmt, argsAddr);
  if (text instanceof VmFault) return text;
  if (text instanceof FormatError) return intResult(-1);
  servicesOf(ctx).log('debug', logLine(text), callOf(ctx));
  return BigInt(text.length);
};

// ===== ebpf_bvsnprintf (ubpf_sprintf) =====

/**
 * ebpf_bvsnprintf(buf, size, fmt, args): format into buf, at most `size` bytes with the NUL. The
 * bytes written without the NUL; -1 when size < 1, the format cannot be applied (buf untouched), or
 * the text does not fit (then buf holds its first size - 1 bytes and a NUL, as snprintf would).
 */
const ebpfBvsnprintf: HelperFn = (buf, sizeReg, fmtAddr, argsAddr, _5, ctx) => {
  const size = asInt32(sizeReg);
  if (size < 1) return intResult(-1);
  const fmt = readBytes(ctx, fmtAddr);
  if (fmt instanceof VmFault) return fmt;
  const values = readCounted(ctx, argsAddr);
  if (values instanceof VmFault) return values;
  if (values instanceof FormatError) return intResult(-1);
  const text = format({ format: fmt, values, readString: (a) => readBytes(ctx, a) });
  if (text instanceof VmFault) return text;
  if (text instanceof FormatError) return intResult(-1);
  const fits = text.length < size;
  const kept = fits ? text : text.slice(0, size - 1);
  const fault = ctx.mem.write(buf, Buffer.from(`${kept}\0`, 'latin1'));
  if (fault !== undefined) return fault;
  return fits ? BigInt(text.length) : intResult(-1);
};

export const logHelpers = {
  super_log: superLog,
  ebpf_print_intern: ebpfPrintIntern,
  ebpf_bvsnprintf: ebpfBvsnprintf,
} as const satisfies Record<string, HelperFn>;
