/**
 * Typed calls for every Vault endpoint the ceremony and the failback operations use
 * (docs/vault-protocol.md §2–3). Each returns a VaultResult: the parsed answer with Vault's
 * request id and warnings, or a named error. Vault's `{"errors":[…]}` become 'vault-error'
 * with Vault's text and what it means. The client never logs, and secrets it sends
 * (shares, OTPs, tokens) are redacted from anything it returns as an error.
 */
import * as z from 'zod';
import { createTransport, type HttpMethod, type Transport, type TransportTls } from './transport';
import {
  decodedTokenSchema,
  generationStatusSchema,
  healthSchema,
  leaderSchema,
  operationDataSchema,
  replicationModeStatusSchema,
  replicationStatusSchema,
  sealStatusSchema,
  secondaryTokenSchema,
  type DecodedToken,
  type GenerationStatus,
  type Health,
  type Leader,
  type OperationData,
  type ReplicationModeStatus,
  type ReplicationStatus,
  type SealStatus,
  type SecondaryActivationToken,
  type VaultError,
  type VaultErrorKind,
  type VaultResult,
} from './types';

export interface VaultClientOptions {
  readonly profileName: string;
  readonly address: string;
  readonly tls: TransportTls;
  /** Sent as X-Vault-Token (Vault 2.x generation endpoints, replication setup). */
  readonly token?: string;
  readonly timeoutMs?: number;
}

/** Which one-slot generation flow: they share Vault's handlers and its single slot. */
export type GenerationFamily = 'root' | 'dr-operation-token' | 'recovery';

/** How the attempt's result is protected: our OTP, a PGP key, or an OTP Vault generates. */
export type GenerationInit = { readonly otp: string } | { readonly pgpKey: string } | Record<string, never>;

export interface GenerationEndpoints {
  /** GET attempt: progress, nonce and otp_length (never the OTP). */
  status(): Promise<VaultResult<GenerationStatus>>;
  /** PUT attempt. With `{}` Vault generates the OTP and returns it only here. */
  start(init: GenerationInit): Promise<VaultResult<GenerationStatus>>;
  /** DELETE attempt (204): cancels whatever attempt is running, of any family. */
  cancel(): Promise<VaultResult<undefined>>;
  /** PUT update with one share (hex or base64) and the attempt's nonce. */
  submitShare(share: { readonly key: string; readonly nonce: string }): Promise<VaultResult<GenerationStatus>>;
}

export interface PrimaryEndpoints {
  enable(options?: { readonly primaryClusterAddr?: string }): Promise<VaultResult<OperationData>>;
  demote(): Promise<VaultResult<OperationData>>;
  disable(): Promise<VaultResult<OperationData>>;
  /** Needs sudo. `ttl` like "30m" or seconds. */
  secondaryToken(options: {
    readonly id: string;
    readonly ttl?: string | number;
    readonly secondaryPublicKey?: string;
  }): Promise<VaultResult<SecondaryActivationToken>>;
  revokeSecondary(options: { readonly id: string }): Promise<VaultResult<OperationData>>;
}

export interface SecondaryEnableOptions {
  readonly token: string;
  readonly primaryApiAddr?: string;
  readonly caFile?: string;
  readonly caPath?: string;
}

/** Either a new activation token or new primary addresses, never both. */
export interface UpdatePrimaryOptions {
  readonly token?: string;
  readonly updatePrimaryAddrs?: readonly string[];
  readonly primaryApiAddr?: string;
  readonly caFile?: string;
  readonly caPath?: string;
}

export interface DrSecondaryEndpoints {
  enable(options: SecondaryEnableOptions): Promise<VaultResult<OperationData>>;
  promote(options: {
    readonly drOperationToken: string;
    readonly primaryClusterAddr?: string;
    readonly force?: boolean;
  }): Promise<VaultResult<OperationData>>;
  updatePrimary(
    options: UpdatePrimaryOptions & { readonly drOperationToken: string },
  ): Promise<VaultResult<OperationData>>;
  disable(options: { readonly drOperationToken: string }): Promise<VaultResult<OperationData>>;
}

export interface PerformanceSecondaryEndpoints {
  enable(options: SecondaryEnableOptions): Promise<VaultResult<OperationData>>;
  promote(options?: {
    readonly primaryClusterAddr?: string;
    readonly force?: boolean;
  }): Promise<VaultResult<OperationData>>;
  updatePrimary(options: UpdatePrimaryOptions): Promise<VaultResult<OperationData>>;
  disable(): Promise<VaultResult<OperationData>>;
}

/** Query parameters of sys/health; each *code overrides the status for that state. */
export interface HealthQuery {
  readonly standbyok?: boolean;
  readonly perfstandbyok?: boolean;
  readonly activecode?: number;
  readonly standbycode?: number;
  readonly drsecondarycode?: number;
  readonly performancestandbycode?: number;
  readonly sealedcode?: number;
  readonly uninitcode?: number;
  /** Vault 1.19+: a standby whose heartbeats do not reach the active node (default 474). */
  readonly haunhealthycode?: number;
  /** Vault 1.19+: a node removed from its raft cluster (default 530). */
  readonly removedcode?: number;
}

export interface VaultClient {
  readonly profileName: string;
  readonly address: string;
  readonly generateRoot: GenerationEndpoints;
  readonly generateRecoveryToken: GenerationEndpoints;
  readonly drOperationToken: GenerationEndpoints & {
    /** Revokes a DR operation token (it has no TTL). */
    delete(drOperationToken: string): Promise<VaultResult<OperationData>>;
    /**
     * Reads the raft configuration authorised by the token, as `vault operator raft list-peers
     * -dr-token` does on a DR secondary (an update, so the token can authorise it): changes nothing.
     */
    raftConfiguration(drOperationToken: string): Promise<VaultResult<OperationData>>;
  };
  readonly dr: {
    readonly primary: PrimaryEndpoints;
    readonly secondary: DrSecondaryEndpoints;
    status(): Promise<VaultResult<ReplicationModeStatus>>;
  };
  readonly performance: {
    readonly primary: PrimaryEndpoints;
    readonly secondary: PerformanceSecondaryEndpoints;
    status(): Promise<VaultResult<ReplicationModeStatus>>;
  };
  replicationStatus(): Promise<VaultResult<ReplicationStatus>>;
  /** 429, 472, 473, 474, 501, 503 and 530 are answers about the node's state, not failures. */
  health(query?: HealthQuery): Promise<VaultResult<Health>>;
  sealStatus(): Promise<VaultResult<SealStatus>>;
  /** sys/leader: whether this node leads, and the leader's addresses (the way to find the active node). */
  leader(): Promise<VaultResult<Leader>>;
  /** Decodes on the server (sys/decode-token); the ceremony decodes locally instead. */
  decodeToken(options: { readonly encodedToken: string; readonly otp: string }): Promise<VaultResult<DecodedToken>>;
  /** Closes connections. */
  close(): void;
}

const GENERATION_PATHS: Record<GenerationFamily, string> = {
  root: 'sys/generate-root',
  'dr-operation-token': 'sys/replication/dr/secondary/generate-operation-token',
  recovery: 'sys/generate-recovery-token',
};
// sys/health's default codes (http/sys_health.go); 474 and 530 since Vault 1.19 (GH-28991).
const HEALTH_ANSWERS = [200, 429, 472, 473, 474, 501, 503, 530];

// What Vault's error texts mean for the person at the keyboard; a third element limits a hint to some paths.
const HINTS: ReadonlyArray<readonly [RegExp, string, RegExp?]> = [
  [/path disabled in replication DR secondary mode/i, 'this request cannot be served by a DR secondary'],
  [
    /permission denied/i,
    'this cluster does not accept that DR operation token: a generated token works only on the DR secondary it was generated on (with several DR secondaries, or one of a performance secondary, generate it on this one), or use a batch DR operation token from its own primary',
    /^sys\/replication\/dr\/secondary\/(promote|update-primary|disable)$/,
  ],
  [
    /permission denied/i,
    'the Vault token is missing, wrong, or lacks a policy for this path (Vault 2.x requires a token for generate-root and generate-operation-token)',
  ],
  [/Vault is sealed/i, 'Vault must be unsealed first'],
  [/no root generation in progress/i, 'no attempt is running: it completed, was cancelled, or was never started'],
  [
    /root generation already in progress/i,
    'an attempt (root, DR operation token or recovery) is already running: read its status, and cancel it only if it is stale',
  ],
  [
    /incorrect nonce supplied/i,
    'the attempt was restarted since: read its status and confirm the new nonce with the officers',
  ],
  [
    /incorrect strategy supplied|incorrect stategy supplied/i,
    'an attempt of another kind (root, DR or recovery) holds the only slot',
  ],
  [/given key has already been provided/i, 'this share was already entered in this attempt'],
  [/Not a DR secondary/i, 'the profile points at a cluster that is not a DR secondary'],
  [/DR operation token was not provided/i, 'this operation needs a DR operation token'],
  [/OTP string is wrong length/i, "the OTP must have exactly the server's otp_length characters"],
  [
    /enterprise-only feature|unsupported path/i,
    'this Vault does not offer the endpoint (it is not Vault Enterprise, or too old)',
  ],
  [/not yet initialized|Vault is not initialized/i, 'this Vault has not been initialised'],
  [
    /tls: internal error|authentication handshake failed/i,
    "cluster traffic to the primary's cluster port failed: port 8201 must be TCP pass-through to the active node (no TLS termination, no round-robin), and cluster_addr / primary_cluster_addr must name such an address",
  ],
  [/standby mode/i, 'the profile points at a standby node: use the active node or its load balancer'],
  [
    /catching up|"force" argument/i,
    'the DR secondary has not yet received everything the primary wrote. Wait and try again if the primary may still reach it; ' +
      'promoting with force makes it primary now and loses whatever it has not received, so in a ceremony force is a deviation the administrator raises and a witness confirms',
  ],
];

interface Call<S extends z.ZodType> {
  readonly method: HttpMethod;
  readonly path: string;
  readonly schema: S;
  /** 'raw': top-level JSON (raw handlers); 'data': the logical envelope's `data`. */
  readonly envelope: 'raw' | 'data';
  readonly body?: Record<string, unknown>;
  readonly query?: Record<string, string>;
  /** Values we send that must never appear in a returned message. */
  readonly secrets?: readonly string[];
  /** Statuses ≥ 400 that are answers for this endpoint. */
  readonly answers?: readonly number[];
}

// DELETE answers 204; whatever else it might carry is of no use.
const noBody = z.unknown().transform((): undefined => undefined);

export function createVaultClient(options: VaultClientOptions): VaultClient {
  const transport = createTransport({
    profileName: options.profileName,
    address: options.address,
    tls: options.tls,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  return vaultClientOver(transport, options);
}

/**
 * The client over a given transport. Everything the client concludes from Vault's answers happens
 * here, so tests can feed it any answer (malformed, truncated, hostile) without a socket.
 */
export function vaultClientOver(transport: Transport, options: { readonly token?: string }): VaultClient {
  const { profileName, address } = transport;
  const baseHeaders: Record<string, string> = {};
  if (options.token !== undefined) baseHeaders['X-Vault-Token'] = options.token;
  const alwaysSecret = options.token ? [options.token] : [];

  async function call<S extends z.ZodType>(c: Call<S>): Promise<VaultResult<z.output<S>>> {
    const secrets = [...alwaysSecret, ...(c.secrets ?? [])].filter((s) => s.length >= 4);
    const label = `${c.method} ${c.path}`;
    const fail = (
      kind: VaultErrorKind,
      message: string,
      extra: Omit<VaultError, 'kind' | 'message'> = {},
    ): VaultResult<never> => ({
      ok: false,
      error: { kind, message: redact(message, secrets), ...extra },
    });

    const response = await transport.request({
      method: c.method,
      path: c.path,
      headers: baseHeaders,
      ...(c.body === undefined ? {} : { body: c.body }),
      ...(c.query === undefined ? {} : { query: c.query }),
    });
    if (!response.ok) return fail(response.error.kind, response.error.message);
    const { status, body, headers } = response.value;
    // Vault's own fields come back redacted too: a server that echoes what it was sent must not hand it back here.
    const requestId =
      isRecord(body) && typeof body['request_id'] === 'string' && body['request_id'] !== ''
        ? redact(body['request_id'], secrets)
        : undefined;
    const withId = requestId === undefined ? {} : { requestId };

    if (status >= 300 && status < 400) {
      // The target comes from the server: a secret it echoes into it is redacted like any other text.
      const target = typeof headers.location === 'string' ? redact(headers.location, secrets) : undefined;
      return fail(
        'unexpected-response',
        `Vault at ${address} redirected ${label}${target === undefined ? '' : ` to ${target}`} (HTTP ${status}, profile '${profileName}'). This app does not follow redirects: point the profile at the active node or its load balancer.`,
        { status, ...(target === undefined ? {} : { location: target }) },
      );
    }
    if (status >= 400 && !(c.answers ?? []).includes(status)) {
      const errors = vaultErrors(body).map((e) => redact(e, secrets));
      const said =
        errors.length > 0 ? `Vault says ${errors.map((e) => `'${e}'`).join('; ')}` : 'Vault gave no error text';
      const hint = HINTS.find(
        ([pattern, , paths]) => (!paths || paths.test(c.path)) && errors.some((e) => pattern.test(e)),
      )?.[1];
      return fail(
        'vault-error',
        `Vault at ${address} refused ${label} with HTTP ${status} (profile '${profileName}'). ${said}${hint ? `: ${hint}` : ''}.`,
        {
          status,
          errors,
          ...withId,
        },
      );
    }

    let candidate: unknown = body;
    if (c.envelope === 'data') candidate = isRecord(body) && body['data'] !== undefined ? body['data'] : null;
    const parsed = c.schema.safeParse(candidate);
    if (!parsed.success) {
      const problems = parsed.error.issues
        .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(body)'}: ${i.message}`)
        .slice(0, 5);
      const edition =
        c.path.startsWith('sys/replication/') && isRecord(candidate) && candidate['mode'] === 'disabled'
          ? ' This Vault reports no replication at all: is it Vault Enterprise?'
          : '';
      return fail(
        'unexpected-response',
        `Vault at ${address} answered ${label} (HTTP ${status}, profile '${profileName}') without what this app relies on: ${problems.join('; ')}.${edition}`,
        { status, ...withId },
      );
    }
    const warnings =
      isRecord(body) && Array.isArray(body['warnings'])
        ? body['warnings'].filter((w): w is string => typeof w === 'string').map((w) => redact(w, secrets))
        : [];
    return { ok: true, value: { status, data: parsed.data, requestId, warnings } };
  }

  const refuse = (message: string): VaultResult<never> => ({ ok: false, error: { kind: 'invalid-request', message } });

  function generation(family: GenerationFamily): GenerationEndpoints {
    const base = GENERATION_PATHS[family];
    return {
      status: () => call({ method: 'GET', path: `${base}/attempt`, schema: generationStatusSchema, envelope: 'raw' }),
      async start(init) {
        const { otp, pgpKey } = init as { otp?: unknown; pgpKey?: unknown };
        if (otp !== undefined && pgpKey !== undefined)
          return refuse(
            'Give either an OTP or a PGP key to start the attempt, not both (Vault would silently ignore the PGP key).',
          );
        if (otp !== undefined && (typeof otp !== 'string' || otp === '')) return refuse('The OTP is empty.');
        if (pgpKey !== undefined) {
          if (typeof pgpKey !== 'string' || pgpKey.trim() === '') return refuse('The PGP key is empty.');
          if (pgpKey.includes('-----BEGIN PGP'))
            return refuse('Vault needs the PGP key as base64 of the binary (unarmored) public key, not armored text.');
          if (!/^[A-Za-z0-9+/]+={0,2}$/.test(pgpKey.trim()))
            return refuse('The PGP key is not base64: Vault needs base64 of the binary public key.');
        }
        const body = otp !== undefined ? { otp } : pgpKey !== undefined ? { pgp_key: pgpKey.trim() } : {};
        return call({
          method: 'PUT',
          path: `${base}/attempt`,
          schema: generationStatusSchema,
          envelope: 'raw',
          body,
          secrets: typeof otp === 'string' ? [otp] : [],
        });
      },
      cancel: () => call({ method: 'DELETE', path: `${base}/attempt`, schema: noBody, envelope: 'raw' }),
      async submitShare({ key, nonce }) {
        if (key.trim() === '') return refuse('The share is empty.');
        if (nonce.trim() === '') return refuse("The attempt's nonce is empty: read the attempt status first.");
        return call({
          method: 'PUT',
          path: `${base}/update`,
          schema: generationStatusSchema,
          envelope: 'raw',
          body: { key: key.trim(), nonce },
          secrets: [key, key.trim()],
        });
      },
    };
  }

  const operation = (path: string, body?: Record<string, unknown>, secrets: readonly string[] = []) =>
    call({
      method: 'POST',
      path,
      schema: operationDataSchema,
      envelope: 'data',
      ...(body === undefined ? {} : { body }),
      secrets,
    });

  function primary(kind: 'dr' | 'performance'): PrimaryEndpoints {
    const base = `sys/replication/${kind}/primary`;
    return {
      enable: (o = {}) => operation(`${base}/enable`, compact({ primary_cluster_addr: o.primaryClusterAddr })),
      demote: () => operation(`${base}/demote`),
      disable: () => operation(`${base}/disable`),
      secondaryToken: (o) =>
        call({
          method: 'POST',
          path: `${base}/secondary-token`,
          schema: secondaryTokenSchema,
          envelope: 'raw',
          body: compact({ id: o.id, ttl: o.ttl, secondary_public_key: o.secondaryPublicKey }),
        }),
      revokeSecondary: (o) => operation(`${base}/revoke-secondary`, { id: o.id }),
    };
  }

  function updatePrimaryBody(o: UpdatePrimaryOptions): Record<string, unknown> | string {
    if (o.token !== undefined && o.updatePrimaryAddrs !== undefined) {
      return 'Give either a new activation token or new primary addresses to update-primary, not both: Vault treats them as mutually exclusive.';
    }
    return compact({
      token: o.token,
      update_primary_addrs: o.updatePrimaryAddrs,
      primary_api_addr: o.primaryApiAddr,
      ca_file: o.caFile,
      ca_path: o.caPath,
    });
  }

  const enableSecondary = (kind: 'dr' | 'performance', o: SecondaryEnableOptions) =>
    operation(
      `sys/replication/${kind}/secondary/enable`,
      compact({ token: o.token, primary_api_addr: o.primaryApiAddr, ca_file: o.caFile, ca_path: o.caPath }),
      [o.token],
    );

  const drSecondary: DrSecondaryEndpoints = {
    enable: (o) => enableSecondary('dr', o),
    async promote(o) {
      if (o.drOperationToken === '') return refuse('Promotion needs the DR operation token; it is empty.');
      const body = compact({
        dr_operation_token: o.drOperationToken,
        primary_cluster_addr: o.primaryClusterAddr,
        force: o.force,
      });
      return operation('sys/replication/dr/secondary/promote', body, [o.drOperationToken]);
    },
    async updatePrimary(o) {
      if (o.drOperationToken === '') return refuse('update-primary needs the DR operation token; it is empty.');
      const body = updatePrimaryBody(o);
      if (typeof body === 'string') return refuse(body);
      return operation(
        'sys/replication/dr/secondary/update-primary',
        { dr_operation_token: o.drOperationToken, ...body },
        [o.drOperationToken, o.token ?? ''],
      );
    },
    async disable(o) {
      if (o.drOperationToken === '')
        return refuse('Disabling DR replication needs the DR operation token; it is empty.');
      return operation('sys/replication/dr/secondary/disable', { dr_operation_token: o.drOperationToken }, [
        o.drOperationToken,
      ]);
    },
  };

  const performanceSecondary: PerformanceSecondaryEndpoints = {
    enable: (o) => enableSecondary('performance', o),
    promote: (o = {}) =>
      operation(
        'sys/replication/performance/secondary/promote',
        compact({ primary_cluster_addr: o.primaryClusterAddr, force: o.force }),
      ),
    async updatePrimary(o) {
      const body = updatePrimaryBody(o);
      if (typeof body === 'string') return refuse(body);
      return operation('sys/replication/performance/secondary/update-primary', body, [o.token ?? '']);
    },
    disable: () => operation('sys/replication/performance/secondary/disable'),
  };

  const drOperationToken = {
    ...generation('dr-operation-token'),
    async delete(token: string) {
      if (token === '') return refuse('The DR operation token to delete is empty.');
      return operation('sys/replication/dr/secondary/operation-token/delete', { dr_operation_token: token }, [token]);
    },
    async raftConfiguration(token: string) {
      if (token === '') return refuse('The DR operation token to read the raft configuration with is empty.');
      return operation('sys/storage/raft/configuration', { dr_operation_token: token }, [token]);
    },
  };

  return {
    profileName,
    address,
    generateRoot: generation('root'),
    generateRecoveryToken: generation('recovery'),
    drOperationToken,
    dr: {
      primary: primary('dr'),
      secondary: drSecondary,
      status: () =>
        call({
          method: 'GET',
          path: 'sys/replication/dr/status',
          schema: replicationModeStatusSchema,
          envelope: 'data',
        }),
    },
    performance: {
      primary: primary('performance'),
      secondary: performanceSecondary,
      status: () =>
        call({
          method: 'GET',
          path: 'sys/replication/performance/status',
          schema: replicationModeStatusSchema,
          envelope: 'data',
        }),
    },
    replicationStatus: () =>
      call({ method: 'GET', path: 'sys/replication/status', schema: replicationStatusSchema, envelope: 'data' }),
    health(query = {}) {
      const params = Object.fromEntries(
        Object.entries(query)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => [k, String(v)]),
      );
      const custom = Object.entries(query)
        .filter(([k, v]) => k.endsWith('code') && typeof v === 'number')
        .map(([, v]) => v as number);
      return call({
        method: 'GET',
        path: 'sys/health',
        schema: healthSchema,
        envelope: 'raw',
        query: params,
        answers: [...HEALTH_ANSWERS, ...custom],
      });
    },
    sealStatus: () => call({ method: 'GET', path: 'sys/seal-status', schema: sealStatusSchema, envelope: 'raw' }),
    leader: () => call({ method: 'GET', path: 'sys/leader', schema: leaderSchema, envelope: 'raw' }),
    async decodeToken({ encodedToken, otp }) {
      if (encodedToken === '' || otp === '') return refuse('Decoding needs both the encoded token and the OTP.');
      return call({
        method: 'PUT',
        path: 'sys/decode-token',
        schema: decodedTokenSchema,
        envelope: 'data',
        body: { encoded_token: encodedToken, otp },
        secrets: [encodedToken, otp],
      });
    },
    close: () => transport.close(),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function vaultErrors(body: unknown): string[] {
  if (!isRecord(body) || !Array.isArray(body['errors'])) return [];
  return body['errors'].filter((e): e is string => typeof e === 'string');
}

/** Drops undefined fields, so Vault sees only what the caller set. */
function compact(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((t, s) => (s.length >= 4 ? t.split(s).join('[redacted]') : t), text);
}
