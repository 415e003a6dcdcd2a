// Integration and e2e tiers talk to real processes; give them room.
jest.setTimeout(120_000);
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
