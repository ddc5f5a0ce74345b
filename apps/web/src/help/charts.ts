// The charts' words (kept out of components for translation).
export const CHART_TEXT = {
  window: 'Time window',
  from: 'From (simulated time)',
  to: 'To (simulated time)',
  range: 'range',
  fromPlaceholder: '0:10:00',
  toPlaceholder: '0:20:00',
  show: 'Show',
  live: '⟲ back to live',
  dragHint: 'drag across a chart to zoom',
  badTime: 'times are h:mm:ss, m:ss or seconds of simulated time',
  badOrder: '"to" must come after "from"',
  waiting: 'waiting for the first frame…',
  emptyRange: 'nothing in this range: the charts keep about the last hour',
} as const;
