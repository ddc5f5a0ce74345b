// What the page says before a cluster's first frame (kept out of components for translation).
export const WAITING_TEXT = {
  instructor: 'waiting for the instructor to start the exercise',
  paused: 'paused before its first tick: an operator starts it with Resume',
  firstFrame: 'waiting for the first frame…',
  meanwhile:
    'Your score, the clock and the figures appear here once it starts. Meanwhile, read the briefing below.',
  /** The connection badge while connected and waiting for the start. */
  connectedWaiting: 'connected · not started',
  /** Where the time controls are in an exercise. */
  instructorTime: 'time: the instructor’s',
  instructorTimeWhy:
    'In an exercise the instructor starts, pauses and speeds up every team’s cluster at once, from the instructor’s page.',
} as const;
