import { describeServiceBaseline } from '@keyline/platform-testing';

describeServiceBaseline({ service: 'sessions', dependencies: ['redis'] });
