/**
 * A real HTTP server on 127.0.0.1 that behaves like the SLS consumer-group API: it verifies
 * signatures, keeps consumer groups with expiring consumers and balanced shards, stores
 * checkpoints, and can be told to misbehave (error replies, dropped connections, delays).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { verifyRequest } from './auth.ts';
import { createLatencyPlan, pause } from './latency.ts';
import { EmulatorError, SlsModel } from './model.ts';
import { errorReply, newRequestId, type Reply, sendReply } from './reply.ts';
import type {
  EmulatedOperation,
  EmulatorKey,
  EmulatorOptions,
  Fault,
  FaultAction,
  FaultRequest,
  RecordedRequest,
  SignatureScheme,
  SlsEmulator,
} from './types.ts';

/** SLS's limit: `413 PostBodyTooLarge`, "Body size … must little than 10485760." */
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const GROUP_PATH = /^\/logstores\/([^/]+)\/consumergroups\/([^/]+)$/;
const GROUPS_PATH = /^\/logstores\/([^/]+)\/consumergroups$/;
const SHARD_PATH = /^\/logstores\/([^/]+)\/shards\/(\d+)$/;
const SHARDS_PATH = /^\/logstores\/([^/]+)\/shards$/;

interface Route {
  readonly operation: EmulatedOperation | 'unknown';
  readonly project: string;
  readonly logstore: string;
  readonly consumerGroup: string;
  readonly query: Record<string, string>;
  /** Shard-level reads (GetCursor, GetCursorTime): the shard in the path. */
  readonly shard?: number;
}

function route(req: IncomingMessage, body: Buffer): Route {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const query = Object.fromEntries(url.searchParams);
  // SLS routes on the project in the Host header: `{project}.{endpoint}`.
  const project = (req.headers.host ?? '').split('.')[0] ?? '';
  const path = decodeURIComponent(url.pathname);
  const group = GROUP_PATH.exec(path);
  if (group) {
    const [, logstore = '', consumerGroup = ''] = group;
    const base = { project, logstore, consumerGroup, query };
    if (req.method === 'GET') return { operation: 'getCheckpoint', ...base };
    if (req.method === 'POST' && query.type === 'heartbeat') return { operation: 'heartbeat', ...base };
    if (req.method === 'POST' && query.type === 'checkpoint') return { operation: 'checkpoint', ...base };
  }
  const shard = SHARD_PATH.exec(path);
  if (shard && req.method === 'GET' && (query.type === 'cursor' || query.type === 'cursor_time')) {
    const operation = query.type === 'cursor' ? 'getCursor' : 'getCursorTime';
    return {
      operation,
      project,
      logstore: shard[1] ?? '',
      consumerGroup: '',
      query,
      shard: Number(shard[2]),
    };
  }
  const shards = SHARDS_PATH.exec(path);
  if (shards && req.method === 'GET') {
    return { operation: 'listShards', project, logstore: shards[1] ?? '', consumerGroup: '', query };
  }
  const groups = GROUPS_PATH.exec(path);
  if (groups && req.method === 'GET') {
    return { operation: 'listConsumerGroups', project, logstore: groups[1] ?? '', consumerGroup: '', query };
  }
  if (groups && req.method === 'POST') {
    let consumerGroup = '';
    try {
      consumerGroup = String(
        (JSON.parse(body.toString('utf8')) as { consumerGroup?: unknown }).consumerGroup ?? '',
      );
    } catch {
      // Reported as JsonInfoInvalid when handled.
    }
    return { operation: 'createConsumerGroup', project, logstore: groups[1] ?? '', consumerGroup, query };
  }
  return { operation: 'unknown', project, logstore: '', consumerGroup: '', query };
}

function parseJson(body: Buffer, code: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new EmulatorError(400, code, 'the request body is not valid json');
  }
}

function handle(model: SlsModel, r: Route, body: Buffer, now: number): Reply {
  model.requireProject(r.project);
  switch (r.operation) {
    case 'heartbeat': {
      const consumer = r.query.consumer;
      if (!consumer) throw new EmulatorError(400, 'ParameterInvalid', 'consumer is required');
      const shards = parseJson(body, 'PostBodyInvalid');
      if (!Array.isArray(shards) || !shards.every((s) => Number.isInteger(s) && s >= 0)) {
        throw new EmulatorError(400, 'PostBodyInvalid', 'heartbeat body must be a JSON array of shard ids');
      }
      return {
        status: 200,
        json: model.heartbeat(r.project, r.logstore, r.consumerGroup, consumer, shards, now),
      };
    }
    case 'checkpoint': {
      const force = r.query.forceSuccess;
      if (force !== undefined && !/^(true|false)$/i.test(force)) {
        throw new EmulatorError(400, 'ParameterInvalid', 'forceSuccess must be true or false');
      }
      const parsed = parseJson(body, 'PostBodyInvalid') as { shard?: unknown; checkpoint?: unknown } | null;
      if (typeof parsed?.shard !== 'number' || typeof parsed.checkpoint !== 'string') {
        throw new EmulatorError(400, 'PostBodyInvalid', 'body must be {"shard": int, "checkpoint": string}');
      }
      model.updateCheckpoint(
        r.project,
        r.logstore,
        r.consumerGroup,
        {
          shard: parsed.shard,
          checkpoint: parsed.checkpoint,
          consumer: r.query.consumer,
          forceSuccess: force?.toLowerCase() === 'true',
        },
        now,
      );
      return { status: 200 };
    }
    case 'getCheckpoint': {
      const all = model.checkpoints(r.project, r.logstore, r.consumerGroup, now);
      const shard = r.query.shard;
      return { status: 200, json: shard === undefined ? all : all.filter((c) => String(c.shard) === shard) };
    }
    case 'createConsumerGroup': {
      const spec = parseJson(body, 'JsonInfoInvalid') as {
        consumerGroup?: unknown;
        timeout?: unknown;
        order?: unknown;
      };
      if (typeof spec?.consumerGroup !== 'string' || typeof spec.timeout !== 'number') {
        throw new EmulatorError(400, 'JsonInfoInvalid', 'body must be {"consumerGroup", "timeout", "order"}');
      }
      model.createConsumerGroup(r.project, r.logstore, spec.consumerGroup, {
        timeoutSeconds: spec.timeout,
        inOrder: spec.order === true,
      });
      return { status: 200 };
    }
    case 'getCursor':
      return {
        status: 200,
        json: { cursor: model.cursor(r.project, r.logstore, r.shard ?? -1, r.query.from ?? '', now) },
      };
    case 'listShards':
      return { status: 200, json: model.listShards(r.project, r.logstore) };
    case 'listConsumerGroups':
      return { status: 200, json: model.listConsumerGroups(r.project, r.logstore) };
    case 'getCursorTime': {
      const cursor = r.query.cursor ?? '';
      const time = model.cursorTime(r.project, r.logstore, r.shard ?? -1, cursor, now);
      return { status: 200, json: { cursor_time: time } };
    }
    default:
      throw new EmulatorError(400, 'InvalidUri', 'the emulator does not serve this request');
  }
}

/** Reads the body; one over the limit is drained (not kept) so the 413 can still be answered. */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () =>
      size > MAX_BODY_BYTES
        ? reject(
            new EmulatorError(
              413,
              'PostBodyTooLarge',
              `Body size ${size} must little than ${MAX_BODY_BYTES}.`,
            ),
          )
        : resolve(Buffer.concat(chunks)),
    );
    req.on('error', reject);
  });
}

/** Starts the emulator on 127.0.0.1. Close it when done; it holds no other resources. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<SlsEmulator> {
  const now = options.now ?? Date.now;
  const maxClockSkewMs = options.maxClockSkewMs ?? 15 * 60 * 1000;
  const region = options.region ?? 'cn-hangzhou';
  const model = new SlsModel();
  const keys = new Map<string, EmulatorKey>((options.keys ?? []).map((k) => [k.accessKeyId, k]));
  const faults: { fault: Fault; left: number }[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const latency = createLatencyPlan(options.latency);

  let policy: ((request: FaultRequest) => FaultAction | undefined) | undefined;
  const held: (() => void)[] = [];
  let inFlight = 0;
  let idleWaiters: (() => void)[] = [];

  const takeFault = (r: Route, body: Buffer): FaultAction | undefined => {
    const index = faults.findIndex(
      ({ fault }) =>
        (fault.operation === undefined || fault.operation === r.operation) &&
        (fault.consumerGroup === undefined || fault.consumerGroup === r.consumerGroup),
    );
    const entry = faults[index];
    if (entry === undefined) {
      return policy?.({
        operation: r.operation,
        consumerGroup: r.consumerGroup,
        query: r.query,
        body: body.toString('utf8'),
      });
    }
    entry.left--;
    if (entry.left <= 0) faults.splice(index, 1);
    return entry.fault.action;
  };

  /** Holds a request back as its fault says; the request is applied afterwards either way. */
  const wait = (fault: FaultAction | undefined): Promise<void> | undefined => {
    if (fault?.kind === 'delay') return new Promise((resolve) => setTimeout(resolve, fault.ms));
    if (fault?.kind === 'hold') return new Promise((resolve) => held.push(() => resolve()));
    return undefined;
  };

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const id = newRequestId();
    let body: Buffer = Buffer.alloc(0);
    let r: Route = { operation: 'unknown', project: '', logstore: '', consumerGroup: '', query: {} };
    let reply: Reply = { status: 200 };
    let errorCode: string | undefined;
    let fault: FaultAction | undefined;
    let signature: SignatureScheme | undefined;
    try {
      body = await readBody(req);
      // Half a round trip (and a new connection's setup) before SLS sees the request.
      await pause(latency.inboundMs(req.socket));
      r = route(req, body);
      fault = takeFault(r, body);
      if (fault?.kind === 'drop' && fault.applied !== true) {
        req.socket.destroy();
        return;
      }
      await wait(fault);
      if (fault?.kind === 'error')
        throw new EmulatorError(fault.status, fault.code, fault.message ?? 'injected fault');
      signature = verifyRequest(
        { method: req.method ?? '', rawUrl: req.url ?? '/', rawHeaders: req.rawHeaders, body },
        { keys, now: now(), maxClockSkewMs, region },
      ).scheme;
      reply = handle(model, r, body, now());
    } catch (error) {
      const e =
        error instanceof EmulatorError
          ? error
          : new EmulatorError(500, 'InternalServerError', 'emulator failure');
      errorCode = e.code;
      reply = errorReply(e.status, e.code, e.message);
    } finally {
      requests.push({
        time: now(),
        operation: r.operation,
        project: r.project,
        logstore: r.logstore,
        consumerGroup: r.consumerGroup,
        query: r.query,
        body: body.toString('utf8'),
        status: fault?.kind === 'drop' ? 0 : reply.status,
        errorCode,
        fault: fault?.kind,
        signature,
      });
    }
    if (fault?.kind === 'drop') {
      // Applied (or refused) above; the client only sees the connection go.
      req.socket.destroy();
      return;
    }
    await pause(latency.outboundMs());
    if (res.destroyed) return;
    sendReply(res, reply, id, now());
  };

  const server = createServer((req, res) => {
    inFlight++;
    serve(req, res)
      .catch(() => res.destroy())
      .finally(() => {
        inFlight--;
        if (inFlight > 0) return;
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const resolve of waiters) resolve();
      });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    region,
    close: () =>
      new Promise<void>((resolve) => {
        // Held requests end too, so nothing waits on a closed emulator.
        for (const resume of held.splice(0)) resume();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
    createProject: (project) => model.createProject(project),
    createLogstore: (project, logstore, shardCount, logstoreOptions) =>
      model.createLogstore(
        project,
        logstore,
        shardCount,
        { writeRate: options.writeRate, ...logstoreOptions },
        now(),
      ),
    createConsumerGroup: (project, logstore, group, settings) =>
      model.createConsumerGroup(project, logstore, group, settings),
    putKey: (key) => {
      keys.set(key.accessKeyId, key);
    },
    removeKey: (accessKeyId) => {
      keys.delete(accessKeyId);
    },
    checkpoints: (project, logstore, group) => model.checkpoints(project, logstore, group, now()),
    writeLogGroups: (project, logstore, shard, receivedAt) =>
      model.writeLogGroups(project, logstore, shard, receivedAt),
    consumers: (project, logstore, group) => model.consumers(project, logstore, group, now()),
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    injectFault: (fault) => {
      faults.push({ fault, left: fault.times ?? 1 });
    },
    clearFaults: () => {
      faults.length = 0;
    },
    setLatency: (next) => latency.set(next),
    setFaultPolicy: (next) => {
      policy = next;
    },
    release: () => {
      const released = held.splice(0);
      for (const resume of released) resume();
      return released.length;
    },
    get inFlight() {
      return inFlight;
    },
    idle: () =>
      inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve)),
  };
}
