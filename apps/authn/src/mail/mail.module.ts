import { DynamicModule, Global, Module } from '@nestjs/common';
import { LOGGER, ShutdownCoordinator, ShutdownPhase } from '@keyline/platform-http';
import type { Logger } from '@keyline/platform-observability';
import { DevMailbox } from './dev-mailbox';
import { DevMailboxController } from './dev-mailbox.controller';
import { Mailer } from './mailer';
import { MAIL_DEFAULT_FROM, MailService } from './mail.service';
import { SmtpMailer, assertSmtpUrl } from './smtp.mailer';

export interface MailModuleOptions {
  /** SMTP_URL: `smtp://user:pass@host:587` or `smtps://user:pass@host:465`. */
  smtpUrl?: string;
  production: boolean;
  /** MAIL_FROM: the sender of tenants without their own, e.g. `Keyline <no-reply@example.com>`. */
  from: string;
}

/**
 * `Mailer` and `MailService` for every authn feature. With an SMTP URL mail goes out through it;
 * without one, outside production, it stays in the dev mailbox (GET /dev/mailbox); production without
 * an SMTP URL refuses to start, since nobody could sign in by code, verify or reset a password.
 */
@Global()
@Module({})
export class MailModule {
  static forRoot(opts: MailModuleOptions): DynamicModule {
    const from = opts.from?.trim();
    if (!from) throw new Error('MAIL_FROM must be set: the sender address of authn mail, e.g. "Keyline <no-reply@example.com>"');
    const common = [MailService, { provide: MAIL_DEFAULT_FROM, useValue: from }];

    if (opts.smtpUrl) {
      assertSmtpUrl(opts.smtpUrl);
      const smtpUrl = opts.smtpUrl;
      return {
        module: MailModule,
        providers: [
          ...common,
          {
            provide: Mailer,
            // Closed with the stores, after the HTTP server drained and consumers stopped: closing on
            // module destroy would run before the drain and fail the mail of in-flight sign-ins.
            useFactory: (logger: Logger, shutdown: ShutdownCoordinator) => {
              const mailer = new SmtpMailer(smtpUrl, logger);
              shutdown.add(ShutdownPhase.CloseStores, 'mail', async () => mailer.close());
              return mailer;
            },
            inject: [LOGGER, ShutdownCoordinator],
          },
        ],
        exports: [Mailer, MailService],
      };
    }

    if (opts.production) {
      throw new Error(
        'SMTP_URL must be set in production: without it authn cannot send sign-in codes, email verification or password reset mail (the dev mailbox is for development only)',
      );
    }
    return {
      module: MailModule,
      controllers: [DevMailboxController],
      providers: [
        ...common,
        { provide: DevMailbox, useFactory: (logger: Logger) => new DevMailbox(logger), inject: [LOGGER] },
        { provide: Mailer, useExisting: DevMailbox },
      ],
      exports: [Mailer, MailService, DevMailbox],
    };
  }
}
