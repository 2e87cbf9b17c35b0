import { JSDOM } from 'jsdom';
import fs from 'fs';
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window; globalThis.document = dom.window.document;
try { globalThis.navigator = dom.window.navigator; } catch {}
globalThis.DOMParser = dom.window.DOMParser; globalThis.Element = dom.window.Element; globalThis.HTMLElement = dom.window.HTMLElement;
const mermaid = (await import('mermaid')).default;
mermaid.initialize({ startOnLoad: false });
let failed = 0;
for (const f of process.argv.slice(2)) {
  const text = fs.readFileSync(f, 'utf8');
  // take fenced mermaid blocks from markdown, or the whole file
  const blocks = f.endsWith('.md') || text.includes('```mermaid') ? [...text.matchAll(/```mermaid\n([\s\S]*?)```/g)].map(m => m[1]) : [text];
  for (const b of blocks) {
    try { const r = await mermaid.parse(b); console.log('OK', f, r.diagramType); }
    catch (e) { failed++; console.log('FAIL', f, String(e.message || e).slice(0, 300)); }
  }
}
// a deliberately broken one, to prove the checker can fail
try { await mermaid.parse('gantt\n    dateFormat YYYY-MM-DD\n    a task :x, 2027-01-01, 2027-02-01\n    bad line : : :\n  section'); console.log('broken sample parsed?!'); } catch (e) { console.log('broken sample rejected as expected'); }
process.exit(failed ? 1 : 0);
