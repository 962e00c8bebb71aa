import { describe, expect, it } from 'vitest';
import { sampleReportInput } from '../harness/fixtures/report-sample.ts';
import { configJson, escapeHtml, scriptJson } from './html.ts';
import { renderReport } from './index.ts';

const input = sampleReportInput(20);

describe('the report is one self-contained HTML file', () => {
  const html = renderReport(input);

  it('loads nothing from anywhere: no URL, no src, no href, no external style', () => {
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/\s(src|href)\s*=/i);
    expect(html).not.toMatch(/<link|@import|url\(/i);
    expect(html).toContain("default-src 'none'");
    expect(html.match(/<script/g)?.length).toBe(2);
  });

  it('shows the property, rule, message, replay command, policy, netstat -Q and config beside the timeline', () => {
    expect(html).toContain(
      `<span class="property">${input.property}</span> violated <span class="rule">${input.rule}</span>`,
    );
    expect(html).toContain(escapeHtml(input.message));
    expect(html).toContain(`<pre id="replay">${escapeHtml(input.replayCommand)}</pre>`);
    expect(html).toContain(escapeHtml(input.netstatQ));
    expect(html).toContain('&#34;net.isr.dispatch&#34;: &#34;deferred&#34;');
    expect(html).toContain('<pre id="policy">round-robin</pre>');
    expect(html.match(/class="cpu-lane"/g)?.length).toBe(4);
    for (const i of input.highlight) expect(html).toContain(`data-event="${i}"`);
  });

  it('escapes what it prints: a message or command cannot open an element or end the data script', () => {
    const evil = '</script><script>alert(1)</script><b>x</b> & \u2028';
    const out = renderReport({
      ...input,
      message: evil,
      replayCommand: evil,
      policyName: evil,
      highlight: [-1, 1e9, 3],
    });
    expect(out.match(/<script/g)?.length).toBe(2);
    expect(out).not.toContain('<b>x</b>');
    expect(out).toContain('&#60;/script&#62;&#60;script&#62;alert(1)');
    expect(scriptJson({ s: evil })).not.toMatch(/<|\u2028/);
    expect(JSON.parse(scriptJson({ s: evil }))).toEqual({ s: evil });
    expect(out).toContain('"highlight":[3]');
  });

  it('prints configuration with sets, maps, bigints and cycles', () => {
    const cyclic: Record<string, unknown> = { n: 1n, s: new Set(['a']), m: new Map([['k', 2]]) };
    cyclic.self = cyclic;
    expect(JSON.parse(configJson(cyclic))).toEqual({ n: '1', s: ['a'], m: { k: 2 }, self: '[circular]' });
  });
});
