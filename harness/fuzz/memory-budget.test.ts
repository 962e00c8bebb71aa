import { describe, expect, it } from 'vitest';
import { enterWorker, leaveWorker, overBudget, overBudgetText, workerBudgetMb } from './memory-budget.ts';

const MIB = 1024 * 1024;

describe('the fuzz process memory budget', () => {
  it('a worker may add twice its heap limit and 192 MiB to the resident set', () => {
    expect(workerBudgetMb(64)).toBe(320);
    expect(workerBudgetMb(2048)).toBe(4288);
  });

  it('is passed one byte beyond what the live workers may add, and is counted for one worker at least', () => {
    const start = 100 * MIB;
    expect(overBudget(start, 64, 1, start + 320 * MIB)).toBe(false);
    expect(overBudget(start, 64, 1, start + 320 * MIB + 1)).toBe(true);
    enterWorker();
    enterWorker();
    try {
      expect(overBudget(start, 64, 1, start + 640 * MIB)).toBe(false);
      expect(overBudget(start, 64, 1, start + 640 * MIB + 1)).toBe(true);
      // A replay gets room to grow as far again.
      expect(overBudget(start, 64, 3, start + 1920 * MIB)).toBe(false);
      expect(overBudget(start, 64, 3, start + 1920 * MIB + 1)).toBe(true);
    } finally {
      leaveWorker();
      leaveWorker();
    }
    // Three started, one settled: two still count.
    enterWorker();
    enterWorker();
    enterWorker();
    leaveWorker();
    try {
      expect(overBudget(start, 64, 1, start + 640 * MIB)).toBe(false);
      expect(overBudget(start, 64, 1, start + 640 * MIB + 1)).toBe(true);
    } finally {
      leaveWorker();
      leaveWorker();
    }
    // Leaving more than entered counts no fewer than none.
    leaveWorker();
    expect(overBudget(start, 64, 1, start + 320 * MIB)).toBe(false);
    expect(overBudget(start, 64, 1, start + 320 * MIB + 1)).toBe(true);
  });

  it('reads the resident set when none is given', () => {
    expect(overBudget(process.memoryUsage.rss(), 64)).toBe(false);
    expect(overBudget(0, 64)).toBe(process.memoryUsage.rss() > 320 * MIB);
  });

  it('says what grew, and against which budget', () => {
    expect(overBudgetText(64)).toBe(
      'grew the fuzz process past its memory budget of 320 MiB a worker (twice the 64 MiB heap, and 192: ArrayBuffers and Buffers are outside the heap)',
    );
  });
});
