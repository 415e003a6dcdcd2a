import { Injectable } from '@nestjs/common';

/** The current time, injectable so tests can pin it. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }

  nowMs(): number {
    return Date.now();
  }
}
