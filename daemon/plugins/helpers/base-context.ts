// The base helpers that answer from the running call or the plugin: get_arg (the point's arguments),
// whereami, next (the replace chain's tail call), reschedule_plugin (job plugins), and the extra
// configuration getters get_extra_info, get_extra_info_dict, get_extra_info_lst_idx and
// get_extra_info_value (handles are `struct global_info {hidden_ptr = node id, type}`).
import { VmFault, type HelperContext, type HelperFn } from '../../../vm/index.js';
import { GLOBAL_INFO } from '../../../xbgp-api/index.js';
import { asInt32, asLength, callOf, copyToHeap, helperMisuse, intResult } from '../call.js';
import {
  CONF_TYPE_IDS,
  confNode,
  getExtraInfo,
  getExtraInfoDict,
  getExtraInfoListIndex,
  getExtraInfoValue,
  type ConfValue,
  type ExtraConf,
} from '../extra-conf.js';

const FAIL = intResult(-1);

// ===== the call =====

/** Smallest heap copy get_arg makes: plugins read ARG_CODE (u8) or ARG_LENGTH (u16) through wider types. */
export const MIN_ARG_COPY = 8;

/** get_arg(type): a heap copy of the point's argument of that ARG_* type, zero-padded; NULL if none. */
const getArg: HelperFn = (type, _2, _3, _4, _5, ctx) => {
  const bytes = callOf(ctx).args.get(Number(BigInt.asUintN(32, type)));
  if (bytes === undefined) return 0n;
  if (bytes.length >= MIN_ARG_COPY) return copyToHeap(ctx, bytes);
  const padded = new Uint8Array(MIN_ARG_COPY);
  padded.set(bytes);
  return copyToHeap(ctx, padded);
};

/** whereami(): the running point's id (INSERTION_POINT_RESERVED in a job plugin). */
const whereami: HelperFn = (_1, _2, _3, _4, _5, ctx) => BigInt(callOf(ctx).point.id);

/**
 * next(): replace anchor only (elsewhere a misuse: the run faults). Asks the chain to go on with the
 * next replace pluglet; returns 0, which the registry's unwindOnZero turns into the end of the run.
 */
const next: HelperFn = (_1, _2, _3, _4, _5, ctx) => {
  const call = callOf(ctx);
  if (call.pluglet?.anchor !== 'replace')
    return helperMisuse(
      ctx,
      'next',
      `called from a ${call.pluglet?.anchor ?? 'unknown'} pluglet, not a replace one`,
    );
  call.nextRequested = true;
  return 0n;
};

/** Longest period reschedule_plugin accepts, in seconds (the manifest's `schedule` bound). */
export const MAX_RESCHEDULE_SECONDS = 2_147_483_647;

/**
 * reschedule_plugin(time_t *t): a job plugin's next run in *t seconds (1 to 2^31-1, else -1); NULL
 * keeps the schedule (0, nothing changes). Outside a job plugin it has no meaning: a misuse.
 */
const reschedulePlugin: HelperFn = (timeAddr, _2, _3, _4, _5, ctx) => {
  const job = callOf(ctx).job;
  if (job === undefined) return helperMisuse(ctx, 'reschedule_plugin', 'only job plugins can reschedule');
  if (timeAddr === 0n) return 0n;
  const bytes = ctx.mem.read(timeAddr, 8);
  if (bytes instanceof VmFault) return bytes;
  const seconds = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigInt64(0, true);
  if (seconds < 1n || seconds > BigInt(MAX_RESCHEDULE_SECONDS)) return FAIL;
  job.reschedule(Number(seconds));
  return 0n;
};

// ===== extra configuration =====

function confOf(ctx: HelperContext): ExtraConf | undefined {
  const call = callOf(ctx);
  return call.services(call.pluglet!.plugin).extraConf;
}

/** Write the handle of `node` as a struct global_info at `addr`: 0, or the store's fault. */
function writeInfo(ctx: HelperContext, addr: bigint, node: ConfValue): bigint | VmFault {
  const out = new Uint8Array(GLOBAL_INFO.size);
  const view = new DataView(out.buffer);
  view.setBigUint64(GLOBAL_INFO.fields.hidden_ptr.offset, BigInt(node.id), true);
  view.setInt32(GLOBAL_INFO.fields.type.offset, CONF_TYPE_IDS[node.type], true);
  return ctx.mem.write(addr, out) ?? 0n;
}

/** The node the struct global_info at `addr` names; undefined for NULL, no configuration or a forged handle. */
function readInfo(
  ctx: HelperContext,
  conf: ExtraConf | undefined,
  addr: bigint,
): ConfValue | undefined | VmFault {
  if (conf === undefined || addr === 0n) return undefined;
  const bytes = ctx.mem.read(addr, GLOBAL_INFO.size);
  if (bytes instanceof VmFault) return bytes;
  const id = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(
    GLOBAL_INFO.fields.hidden_ptr.offset,
    true,
  );
  return confNode(conf, id);
}

/** get_extra_info(key, info): handle on the top-level value under key; 0, or -1 if there is none. */
const getExtraInfoHelper: HelperFn = (keyAddr, out, _3, _4, _5, ctx) => {
  const conf = confOf(ctx);
  if (conf === undefined || keyAddr === 0n) return FAIL;
  const key = ctx.mem.readCString(keyAddr);
  if (key instanceof VmFault) return key;
  const node = getExtraInfo(conf, key);
  return node === undefined ? FAIL : writeInfo(ctx, out, node);
};

/** get_extra_info_dict(info, key, value): handle on the entry under key of a dict; 0, or -1. */
const getExtraInfoDictHelper: HelperFn = (infoAddr, keyAddr, out, _4, _5, ctx) => {
  const node = readInfo(ctx, confOf(ctx), infoAddr);
  if (node instanceof VmFault) return node;
  if (node === undefined || keyAddr === 0n) return FAIL;
  const key = ctx.mem.readCString(keyAddr);
  if (key instanceof VmFault) return key;
  const entry = getExtraInfoDict(node, key);
  return entry === undefined ? FAIL : writeInfo(ctx, out, entry);
};

/** get_extra_info_lst_idx(info, idx, value): handle on item idx of a list; 0, or -1. */
const getExtraInfoListIndexHelper: HelperFn = (infoAddr, idx, out, _4, _5, ctx) => {
  const node = readInfo(ctx, confOf(ctx), infoAddr);
  if (node instanceof VmFault) return node;
  if (node === undefined) return FAIL;
  const item = getExtraInfoListIndex(node, asInt32(idx));
  return item === undefined ? FAIL : writeInfo(ctx, out, item);
};

/**
 * get_extra_info_value(info, buf, len): copy a scalar value into buf (extra-conf.ts gives the bytes);
 * 0, or -1 for a list or dict or when len is below the value's size (buf untouched).
 */
const getExtraInfoValueHelper: HelperFn = (infoAddr, buf, len, _4, _5, ctx) => {
  const node = readInfo(ctx, confOf(ctx), infoAddr);
  if (node instanceof VmFault) return node;
  if (node === undefined) return FAIL;
  const bytes = getExtraInfoValue(node);
  if (bytes === undefined) return FAIL;
  const room = asLength(len);
  if (room >= 0 && room < bytes.length) return FAIL;
  return ctx.mem.write(buf, bytes) ?? 0n;
};

export const contextHelpers = {
  get_arg: getArg,
  whereami,
  next,
  reschedule_plugin: reschedulePlugin,
  get_extra_info: getExtraInfoHelper,
  get_extra_info_dict: getExtraInfoDictHelper,
  get_extra_info_lst_idx: getExtraInfoListIndexHelper,
  get_extra_info_value: getExtraInfoValueHelper,
} as const satisfies Record<string, HelperFn>;
