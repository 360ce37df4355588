import type { Tone } from './tone.js';

/** Colours for tones, or none at all: https://no-color.org asks that any non-empty NO_COLOR turn them off. */
export interface Theme {
  color(tone: Tone): string | undefined;
  /** Whether to use bold and dim at all (off with colours, so NO_COLOR output is plain text). */
  styled: boolean;
}

const palette: Record<Tone, string | undefined> = { good: 'green', warn: 'yellow', bad: 'red', info: 'cyan', plain: undefined };

export const colorTheme: Theme = { color: (tone) => palette[tone], styled: true };
export const plainTheme: Theme = { color: () => undefined, styled: false };

/** The theme the environment asks for. */
export function themeFor(env: NodeJS.ProcessEnv): Theme {
  return (env['NO_COLOR'] ?? '') !== '' ? plainTheme : colorTheme;
}
