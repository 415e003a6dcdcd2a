import { Injectable } from '@nestjs/common';

/** The current time in epoch milliseconds, injectable so tests can shift it. */
@Injectable()
export class Clock {
  now(): number {
    return Date.now();
  }
}
