import { HttpStatus } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

type Json = Record<string, unknown>;

/** Sends a resource with its ETag (RFC 7644 §3.14) and, for a new one, 201 with its Location. */
export function sendResource(reply: FastifyReply, resource: Json, created = false): Json {
  const meta = resource.meta as { version?: string; location?: string } | undefined;
  if (meta?.version) void reply.header('etag', meta.version);
  if (created && meta?.location) void reply.header('location', meta.location).code(HttpStatus.CREATED);
  return resource;
}
