import { render } from 'ink-testing-library';
import type { ReactElement } from 'react';

/** For tests: ink-testing-library's render, on a terminal `columns` wide (its own is fixed at 100). */
export function renderAt(element: ReactElement, columns: number): ReturnType<typeof render> {
  const screen = render(element);
  Object.defineProperty(screen.stdout, 'columns', { get: () => columns });
  screen.rerender(element);
  return screen;
}

/** Lets ink flush what React rendered: input handlers, effects and state updates settle within ten turns of the event loop; no timers. */
export async function settled(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}
