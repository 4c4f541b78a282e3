/** Progress of a long run: `done` of `total` (when known) in the named phase. */
export interface ProgressEvent {
  phase: string;
  done: number;
  total?: number;
  bytes?: number;
}

export type ProgressListener = (p: ProgressEvent) => void;

export const noProgress: ProgressListener = () => undefined;
