import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expandTemplate, templateError, type TemplateContext } from './template.js';

const ctx: TemplateContext = {
  nodeId: 'n1', nodeHostname: 'host-a', serviceId: 's1', serviceName: 'demo_web', taskId: 't9', taskName: 'demo_web.2.t9', taskSlot: 2,
};

test('templates expand from the task context', () => {
  const cases: Array<[string, string]> = [
    ['{{.Node.Hostname}}-web', 'host-a-web'],
    ['{{ .Task.Slot }}', '2'],
    ['{{.Node.ID}}/{{.Service.Name}}/{{.Service.ID}}/{{.Task.Name}}/{{.Task.ID}}', 'n1/demo_web/s1/demo_web.2.t9/t9'],
    ['plain', 'plain'],
    ['', ''],
  ];
  for (const [text, out] of cases) assert.is(expandTemplate(text, ctx), out, text);
});

test('unknown fields and unclosed braces are refused with what is allowed', () => {
  assert.is(templateError('{{.Node.Name}}'), 'unknown template "{{.Node.Name}}", expected one of {{.Node.ID}}, {{.Node.Hostname}}, {{.Service.ID}}, {{.Service.Name}}, {{.Task.ID}}, {{.Task.Name}}, {{.Task.Slot}}');
  assert.is(templateError('x-{{.Task.Slot'), 'unclosed "{{" in template "x-{{.Task.Slot"');
  assert.is(templateError('{{index .Service.Labels "a"}}')?.startsWith('unknown template'), true);
  assert.is(templateError('{{.Task.Slot}}'), undefined);
  assert.throws(() => expandTemplate('{{.Nope}}', ctx), /unknown template/);
});

test.run();
