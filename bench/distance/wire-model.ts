/**
 * A model of the wire at a distance, on simulated time, for runs too long to wait for (minutes of
 * heartbeats). It stands where undici stands under the real `SlsClient`: requests pay half a round
 * trip (with jitter) to reach SLS and half to come back, a new connection pays its handshakes
 * first, and connections are pooled per origin as `createUndiciTransport` pools them (at most
 * `connections` per origin, an idle one closed after `keepAliveMs`). Behind it sits the emulator's
 * consumer-group model, which expires consumers as SLS does; every heartbeat it acknowledges is
 * recorded with the simulated time it was applied.
 */
import { EmulatorError, SlsModel } from '../../src/emulator/model.ts';
import {
  type HttpRequest,
  type HttpResponse,
  type HttpTransport,
  toTransportError,
} from '../../src/sls/http.ts';
import type { Distance } from './profile.ts';

/** What the model's clock must offer: the simulated clock of `test/helpers/clock.ts`. */
export interface ModelClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface WireModelOptions {
  readonly distance: Distance;
  readonly clock: ModelClock;
  /** [0, 1); seed it for repeatable runs. */
  readonly random: () => number;
  /** undici's defaults in `createUndiciTransport`. */
  readonly connections?: number;
  readonly keepAliveMs?: number;
}

interface Connection {
  busy: boolean;
  idleSince: number;
}

const GROUP_PATH = /^\/logstores\/([^/?]+)\/consumergroups\/([^/?]+)(?:\?(.*))?$/;

/** The model: an `HttpTransport` on simulated time, and the SLS behind it. */
export class WireModel {
  readonly sls = new SlsModel();
  /** Successful heartbeats: consumer -> simulated times SLS applied them. */
  readonly beats = new Map<string, number[]>();
  /** Heartbeats SLS refused because the consumer had expired. */
  expired = 0;
  connectionsOpened = 0;
  readonly #options: WireModelOptions;
  readonly #pools = new Map<string, Connection[]>();
  readonly #waiting = new Map<string, (() => void)[]>();

  constructor(options: WireModelOptions) {
    this.#options = options;
  }

  /** A transport for one container: connections of an earlier container are gone. */
  transport(): HttpTransport {
    this.#pools.clear();
    return { send: (request) => this.#send(request), close: async () => {} };
  }

  async #send(request: HttpRequest): Promise<HttpResponse> {
    const { clock, distance, random } = this.#options;
    const started = clock.now();
    const half = () => Math.max(0, distance.rttMs / 2 + (random() * 2 - 1) * distance.jitterMs);
    const { connection, fresh } = await this.#acquire(request.origin);
    try {
      const inbound = (fresh ? distance.setupMs : 0) + half();
      const outbound = half();
      if (clock.now() - started + inbound + outbound > request.timeoutMs) {
        // Given up at its time limit; whether SLS applied it does not matter to a heartbeat.
        await clock.sleep(Math.max(0, started + request.timeoutMs - clock.now()));
        throw toTransportError(Object.assign(new Error('timeout'), { name: 'TimeoutError' }), request);
      }
      await clock.sleep(inbound);
      const response = this.#apply(request);
      await clock.sleep(outbound);
      return response;
    } finally {
      connection.busy = false;
      connection.idleSince = clock.now();
      this.#waiting.get(request.origin)?.shift()?.();
    }
  }

  async #acquire(origin: string): Promise<{ connection: Connection; fresh: boolean }> {
    const { clock } = this.#options;
    const keepAliveMs = this.#options.keepAliveMs ?? 15_000;
    for (;;) {
      const all = this.#pools.get(origin) ?? [];
      const open = all.filter((c) => c.busy || clock.now() - c.idleSince < keepAliveMs);
      this.#pools.set(origin, open);
      const idle = open.find((c) => !c.busy);
      if (idle !== undefined) {
        idle.busy = true;
        return { connection: idle, fresh: false };
      }
      if (open.length < (this.#options.connections ?? 64)) {
        const connection = { busy: true, idleSince: clock.now() };
        open.push(connection);
        this.connectionsOpened++;
        return { connection, fresh: true };
      }
      await new Promise<void>((resolve) => {
        const queue = this.#waiting.get(origin) ?? [];
        queue.push(resolve);
        this.#waiting.set(origin, queue);
      });
    }
  }

  /** SLS applying the request: heartbeats and checkpoint reads, as the emulator answers them. */
  #apply(request: HttpRequest): HttpResponse {
    const now = this.#options.clock.now();
    const project = new URL(request.origin).hostname.split('.')[0] ?? '';
    const [, logstore = '', group = '', search = ''] = GROUP_PATH.exec(request.path) ?? [];
    const query = new URLSearchParams(search);
    const reply = (status: number, json: unknown): HttpResponse => ({
      status,
      headers: { 'x-log-requestid': 'MODEL' },
      body: Buffer.from(JSON.stringify(json)),
    });
    try {
      if (request.method === 'GET') return reply(200, this.sls.checkpoints(project, logstore, group, now));
      const consumer = query.get('consumer') ?? '';
      const held = JSON.parse(Buffer.from(request.body ?? []).toString('utf8')) as number[];
      const assigned = this.sls.heartbeat(project, logstore, group, consumer, held, now);
      const times = this.beats.get(consumer) ?? [];
      times.push(now);
      this.beats.set(consumer, times);
      return reply(200, assigned);
    } catch (error) {
      if (!(error instanceof EmulatorError)) throw error;
      if (error.code === 'NotExistConsumerWithBody') this.expired++;
      return reply(error.status, { errorCode: error.code, errorMessage: error.message });
    }
  }
}
