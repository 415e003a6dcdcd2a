import { Injectable, OnApplicationShutdown } from '@nestjs/common';

export interface ReadinessCheck {
  /** Dependency name reported by /health/ready (`database`, `redis`, `kafka`, ...). */
  name: string;
  check(): Promise<void>;
  /**
   * A non-critical dependency is reported (`degraded`) but keeps the service ready: services that
   * publish through their outbox keep serving while Kafka is down.
   */
  critical?: boolean;
}

/** Readiness checks registered by the libraries a service uses (database, Redis, Kafka). */
@Injectable()
export class HealthRegistry {
  readonly checks: ReadinessCheck[] = [];
  shuttingDown = false;

  register(check: ReadinessCheck): void {
    this.checks.push(check);
  }
}

/** Order in which resources are released after the HTTP server stopped and drained. */
export enum ShutdownPhase {
  StopConsumers = 10,
  FlushOutbox = 20,
  CloseMessaging = 30,
  CloseStores = 40,
}

interface Step {
  phase: ShutdownPhase;
  name: string;
  run: () => Promise<void>;
}

/**
 * Runs shutdown steps in phase order once Nest has closed the HTTP server (onApplicationShutdown runs
 * after the adapter closed): consumers stop, the outbox flushes, then Kafka and stores close.
 */
@Injectable()
export class ShutdownCoordinator implements OnApplicationShutdown {
  private readonly steps: Step[] = [];
  private done = false;

  add(phase: ShutdownPhase, name: string, run: () => Promise<void>): void {
    this.steps.push({ phase, name, run });
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.done) return;
    this.done = true;
    const ordered = [...this.steps].sort((a, b) => a.phase - b.phase);
    for (const step of ordered) {
      try {
        await step.run();
      } catch {
        // Keep going: one resource failing to close must not keep the others open.
      }
    }
  }
}
