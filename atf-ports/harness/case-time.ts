/** What one ported case spent: the seconds its original sleeps, and the virtual time it spans. */
export interface CaseTime {
  readonly sleptSeconds: number;
  readonly virtualSeconds: number;
}

export const openCases: (() => CaseTime)[] = [];

/** Called by each case environment when it is created; read back after the case. */
export function noteCaseTime(read: () => CaseTime): void {
  openCases.push(read);
}
