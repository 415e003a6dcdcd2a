import type { FilterNode } from './filter.parser';
import { ScimException } from './scim.exception';

/** Runs `fn` and returns the ScimException it throws; fails the test when it throws nothing or something else. */
export function scimError(fn: () => unknown): ScimException {
  try {
    fn();
  } catch (err) {
    if (err instanceof ScimException) return err;
    throw err;
  }
  throw new Error('expected a ScimException, but nothing was thrown');
}

/** A compact, fully parenthesised rendering of an AST, so that tests can assert its shape at a glance. */
export function show(node: FilterNode): string {
  switch (node.kind) {
    case 'compare':
      return `(${node.path.key} ${node.op} ${JSON.stringify(node.value)})`;
    case 'present':
      return `(${node.path.key} pr)`;
    case 'and':
    case 'or':
      return `(${show(node.left)} ${node.kind} ${show(node.right)})`;
    case 'not':
      return `not${show(node.filter)}`;
    case 'valuePath':
      return `${node.path.key}[${show(node.filter)}]`;
  }
}
