/** What a cell means at a glance; the theme turns it into a colour, or into nothing under NO_COLOR. */
export type Tone = 'good' | 'warn' | 'bad' | 'info' | 'plain';
