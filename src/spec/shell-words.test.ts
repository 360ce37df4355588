import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { splitShellWords } from './shell-words.js';

test('command strings split into words like a POSIX shell, without expansion', () => {
  const cases: Array<[string, string[]]> = [
    ['httpd -f -p 80', ['httpd', '-f', '-p', '80']],
    ['  spaced   out  ', ['spaced', 'out']],
    ['', []],
    [`sh -c 'echo "hi there"'`, ['sh', '-c', 'echo "hi there"']],
    [`echo "a \\"b\\" \\$HOME"`, ['echo', 'a "b" $HOME']],
    [`echo a\\ b`, ['echo', 'a b']],
    [`echo '' x`, ['echo', '', 'x']],
    [`--flag="x y"z`, ['--flag=x yz']],
    [`echo "it's"`, ['echo', "it's"]],
  ];
  for (const [text, words] of cases) assert.equal(splitShellWords(text), words, text);
});

test('an open quote is an error that names the quote', () => {
  assert.throws(() => splitShellWords(`echo 'oops`), /unterminated ' quote/);
  assert.throws(() => splitShellWords(`echo "oops`), /unterminated " quote/);
});

test.run();
