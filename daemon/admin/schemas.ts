// JSON schemas the admin API's routes share (the error body, the family and peer parameters, paging), and
// the error the routes throw (`ApiError`: a stable code and the HTTP status it answers with). The OpenAPI
// document is generated from these through @fastify/swagger; nothing is written by hand.
import { XbgpdError, errorCodes, type ErrorCode } from '../errors.js';
import { allFamilies } from '../config/types.js';

/** The body of every error answer: a stable code, a message, and the field at fault for 400s. */
export const errorSchema = {
  $id: 'ApiError',
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', description: 'stable error code (ERR_API_*, ERR_BGP_*, ...)' },
    message: { type: 'string' },
    field: { type: 'string', description: '400: the field at fault, e.g. body.mode or query.limit' },
    problems: { type: 'array', items: { type: 'string' }, description: 'every problem, when several' },
    vmCode: { type: 'string', description: 'a plugin that did not load: the VM error code (ERR_VM_*)' },
    pc: { type: 'integer', description: 'a plugin that did not load: the program counter of the problem' },
  },
} as const;

const errorRef = { $ref: 'ApiError#' } as const;

/** Error answers every route may give, to list in its `response`. */
export const errorResponses = {
  400: errorRef,
  401: errorRef,
  404: errorRef,
  409: errorRef,
} as const;

export const familySchema = { type: 'string', enum: [...allFamilies] } as const;

export const peerParams = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

export const pagingQuery = {
  limit: { type: 'integer', minimum: 1, maximum: 10000, default: 100, description: 'entries per page' },
  cursor: {
    type: 'string',
    maxLength: 64,
    description: 'the `next` of the previous page: entries after this prefix',
  },
} as const;

/** A page of entries: `next` is the cursor of the following page, absent on the last. */
export function pageSchema(item: object): object {
  return {
    type: 'object',
    required: ['family', 'entries'],
    properties: {
      family: familySchema,
      entries: { type: 'array', items: item },
      next: { type: 'string' },
    },
  };
}

const statusOf: Partial<Record<ErrorCode, number>> = {
  [errorCodes.ERR_API_INVALID]: 400,
  [errorCodes.ERR_API_UNAUTHORIZED]: 401,
  [errorCodes.ERR_API_NOT_FOUND]: 404,
  [errorCodes.ERR_BGP_UNKNOWN_PEER]: 404,
  [errorCodes.ERR_API_CONFLICT]: 409,
  [errorCodes.ERR_API_RELOAD]: 422,
  [errorCodes.ERR_PLUGIN_LOAD]: 422,
};

/** The HTTP status of a coded error (500 for codes that are not a client's mistake). */
export function httpStatus(code: ErrorCode): number {
  return statusOf[code] ?? 500;
}

/** A 400 naming the field at fault (`query.prefix`, `params.family`...). */
export class InvalidField extends XbgpdError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(errorCodes.ERR_API_INVALID, `${field}: ${message}`);
    this.name = 'InvalidField';
  }
}
