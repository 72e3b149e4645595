/**
 * Root-token and DR-operation-token generation (raw handlers, top-level JSON, DELETE → 204),
 * and sys/decode-token. In Vault 2.x the generation endpoints need an X-Vault-Token (a primary
 * root token works on a DR secondary, whose token store is the primary's); without one they
 * answer 403 "permission denied".
 */
import { goDecodeToken } from '../go-decode-token';
import type { GenerationErrorKind, GenerationFamily, GenerationStatus } from '../op-token-generation';
import type { Result } from '../../shared/result';
import {
  logical,
  methodNotAllowed,
  noContent,
  permissionDenied,
  rawOk,
  vaultError,
  type ApiResponse,
} from './envelope';
import { allFields, parseRawBody } from './request-body';
import type { LogicalContext, LogicalRoute, RawContext, RawRoute } from './route';
import type { Capability } from '../policy';

export const generationRoutes: readonly (RawRoute | LogicalRoute)[] = [
  {
    kind: 'raw',
    pattern: /^sys\/generate-root\/attempt$/,
    onDrSecondary: false,
    handle: (ctx) => attempt(ctx, 'root'),
  },
  { kind: 'raw', pattern: /^sys\/generate-root\/update$/, onDrSecondary: false, handle: (ctx) => update(ctx, 'root') },
  {
    kind: 'raw',
    pattern: /^sys\/replication\/dr\/secondary\/generate-operation-token\/attempt$/,
    onDrSecondary: true,
    handle: (ctx) => attempt(ctx, 'dr-operation-token'),
  },
  {
    kind: 'raw',
    pattern: /^sys\/replication\/dr\/secondary\/generate-operation-token\/update$/,
    onDrSecondary: true,
    handle: (ctx) => update(ctx, 'dr-operation-token'),
  },
  {
    kind: 'logical',
    pattern: /^sys\/decode-token$/,
    onDrSecondary: true,
    auth: 'none',
    operations: { update: decodeToken },
  },
];

/** Refusals that come before the generation logic itself; undefined to proceed. */
function guard(ctx: RawContext, family: GenerationFamily): ApiResponse | undefined {
  const { cluster, request } = ctx;
  if (family === 'dr-operation-token' && !cluster.isDrSecondary) return vaultError(400, 'Not a DR secondary.');
  if (cluster.options.vaultVersion === 2) {
    const capability: Capability =
      request.method === 'GET' ? 'read' : request.method === 'DELETE' ? 'delete' : 'update';
    const caller = cluster.authenticate(request.token);
    if (!caller || !cluster.allows(caller, request.path, capability)) return permissionDenied();
  }
  return undefined;
}

async function attempt(ctx: RawContext, family: GenerationFamily): Promise<ApiResponse> {
  const { cluster, request } = ctx;
  if (!['GET', 'PUT', 'POST', 'DELETE'].includes(request.method)) return methodNotAllowed();
  const refused = guard(ctx, family);
  if (refused) return refused;
  switch (request.method) {
    case 'GET':
      return respond(cluster.slot.status(), 500);
    case 'DELETE': {
      const r = cluster.slot.cancel();
      return r.ok ? noContent() : vaultError(500, r.error.message);
    }
    default: {
      const body = parseRawBody(request.body, 'GenerateRootInitRequest', { otp: 'string', pgp_key: 'string' });
      // An empty body is fine here (io.EOF): the server then generates the OTP.
      if (!body.ok && body.error.kind !== 'eof') return vaultError(400, body.error.message);
      const fields = body.ok ? body.value : {};
      return respond(await cluster.slot.start(family, { otp: fields.otp ?? '', pgpKey: fields.pgp_key ?? '' }), 400);
    }
  }
}

async function update(ctx: RawContext, family: GenerationFamily): Promise<ApiResponse> {
  const { cluster, request } = ctx;
  if (request.method !== 'PUT' && request.method !== 'POST') return methodNotAllowed();
  const refused = guard(ctx, family);
  if (refused) return refused;
  // Unlike attempt, update does not tolerate an empty body: Vault answers "EOF".
  const body = parseRawBody(request.body, 'GenerateRootUpdateRequest', { Nonce: 'string', Key: 'string' });
  if (!body.ok) return vaultError(400, body.error.message);
  return respond(await cluster.slot.update(family, body.value.Key ?? '', body.value.Nonce ?? ''), 400);
}

function respond(r: Result<GenerationStatus, GenerationErrorKind>, failureStatus: number): ApiResponse {
  if (r.ok) return rawOk(r.value);
  // Vault's GET answers "server is not yet initialized" with 400, other GET failures with 500.
  return vaultError(r.error.kind === 'not-initialized' ? 400 : failureStatus, r.error.message);
}

/** sys/decode-token: Vault's handler passes DecodeToken's Go error straight through, so a bad input is a 500. */
function decodeToken({ fields }: LogicalContext): ApiResponse {
  const read = allFields({ encoded: fields.string('encoded_token'), otp: fields.string('otp') });
  if (!read.ok) return vaultError(400, read.error.message);
  const decoded = goDecodeToken(read.value.encoded, read.value.otp);
  return decoded.ok ? logical({ data: { token: decoded.value } }) : vaultError(500, decoded.error.message);
}
