import { readableText } from './color';

/** The host page's VM colours (Okabe-Ito), one per VM in turn, always with the VM's name on them. */
export const VM_COLORS = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#F0E442',
  '#999999',
] as const;

/** Each colour with the text that reads on it (black on the light ones: 4.5:1 at least). */
export const VM_CHIPS = VM_COLORS.map((background) => ({
  background,
  color: readableText(background),
}));
