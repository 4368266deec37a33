/** PrioritySort (plugins/queuesort/priority_sort.go): higher priority first, then earlier queue timestamp. */
import type { Plugin } from "../framework/types.js";

/** The parts of a queued pod the sort reads. */
export interface Sortable {
  priority: number;
  timestamp: number;
  /** Tie-break for equal timestamps: the order pods entered the queue. */
  seq: number;
}

export class PrioritySort implements Plugin {
  readonly name = "PrioritySort";
  readonly code = 0;

  less(a: Sortable, b: Sortable): boolean {
    if (a.priority !== b.priority) return a.priority > b.priority;
    if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp;
    return a.seq < b.seq;
  }
}
