import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The dashboard's modules (src/http/dashboard) are browser code outside the TypeScript project (they
// are checked by their own tsconfig from JSDoc); html.js touches no DOM until render is called, so
// it runs here as it is.
const dashboard = new URL('../src/http/dashboard/', import.meta.url);

interface Fragment {
  toString(): string;
}
interface HtmlModule {
  html: (strings: TemplateStringsArray, ...values: unknown[]) => Fragment;
  raw: (markup: string) => Fragment;
  render: (element: { innerHTML: string }, fragment: Fragment) => void;
}
const { html, raw, render } = (await import(new URL('html.js', dashboard).href)) as HtmlModule;

const modules = readdirSync(dashboard)
  .filter((name) => name.endsWith('.js'))
  .map((name) => ({ name, source: readFileSync(new URL(name, dashboard), 'utf8') }));

describe('the dashboard html template', () => {
  it('escapes every value, in element text and in quoted attributes', () => {
    const title = '"><script>alert(1)</script>';
    const text = `<img src=x onerror=alert(1)> & 'q'`;
    expect(String(html`<td title="${title}">${text}</td>`)).toBe(
      '<td title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">&lt;img src=x onerror=alert(1)&gt; &amp; &#39;q&#39;</td>',
    );
  });

  it('inserts fragments as they are, joins arrays, shows numbers and booleans, and leaves out null and undefined', () => {
    const items = ['a<b', 'c'].map((item) => html`<li>${item}</li>`);
    // prettier-ignore
    const fragment = html`<ul>${items}</ul>${null}${undefined}${0}<i aria-pressed="${false}"></i>`;
    expect(String(fragment)).toBe('<ul><li>a&lt;b</li><li>c</li></ul>0<i aria-pressed="false"></i>');
  });

  it('trusts only fragments it made or raw() marked: anything else with a toString is escaped', () => {
    const forged = { toString: () => '<b>forged</b>' };
    expect(String(html`<p>${forged}${raw('<b>trusted</b>')}</p>`)).toBe('<p>&lt;b&gt;forged&lt;/b&gt;<b>trusted</b></p>');
  });

  it('refuses a value in an unquoted attribute, but not an "=" in text', () => {
    expect(() => html`<td title=${'x onmouseover=alert(1)'}></td>`).toThrow(/quote the attribute value/);
    expect(() => html`<td class="a" title=${'x'}></td>`).toThrow(/quote the attribute value/);
    expect(String(html`<p>a = ${1}</p>`)).toBe('<p>a = 1</p>');
  });

  it('reads a line break in the template as one space, drops it at the ends, and keeps full-width spaces', () => {
    // prettier-ignore
    const fragment = html`
      <p class="a"
        >完成
        <b>${'x'}</b>
      </p>
    `;
    expect(String(fragment)).toBe('<p class="a" >完成 <b>x</b> </p>');
    // U+3000 (a full-width space) is text, as in HTML (Prettier would turn the escape into a space and a U+3000)
    // prettier-ignore
    expect(String(html`\u3000责任单位：${'市民政局'}`)).toBe('\u3000责任单位：市民政局');
  });

  it('render assigns a fragment and refuses a string', () => {
    const element = { innerHTML: '' };
    render(element, html`<b>${'<i>'}</b>`);
    expect(element.innerHTML).toBe('<b>&lt;i&gt;</b>');
    expect(() => render(element, '<b>not a fragment</b>')).toThrow(TypeError);
  });
});

describe('the dashboard modules', () => {
  it('write markup only through render in html.js', () => {
    const writes = modules.flatMap(({ name, source }) =>
      source
        .split('\n')
        .filter((line) => /\.(innerHTML|outerHTML)\s*\+?=(?!=)|insertAdjacentHTML|document\.write/.test(line))
        .map((line) => `${name}: ${line.trim()}`),
    );
    expect(writes).toEqual(['html.js: element.innerHTML = fragment.toString();']);
  });

  it('are all checked by TypeScript', () => {
    expect(modules.length).toBeGreaterThan(10);
    expect(modules.filter(({ source }) => !source.startsWith('// @ts-check\n')).map(({ name }) => name)).toEqual([]);
  });

  it('keep every GraphQL document in documents.js (validated in test/schema-drift.test.ts)', () => {
    expect(
      modules.filter(({ name, source }) => name !== 'documents.js' && source.includes('/* GraphQL */')).map(({ name }) => name),
    ).toEqual([]);
  });
});
