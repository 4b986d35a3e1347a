/**
 * SVG charts to PNG in headless Chromium (there is no matplotlib or image library here), and the
 * call a bench suite makes after writing its results JSON: the chart beside it, same name, .png.
 */
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright';
import { chromiumExecutable, chromiumNoWebGpuArgs } from '../../test/chromium.js';
import { chartsFor } from './adapters.js';
import { renderChart } from './chart.js';

/** Stacks the SVGs top to bottom and screenshots them as one PNG at 1 CSS pixel per pixel. */
export async function toPng(svgs: string[], file: string): Promise<void> {
  // A chart needs no GPU: the flags of the WASM-fallback tests.
  const browser = await chromium.launch({ executablePath: chromiumExecutable, args: chromiumNoWebGpuArgs, headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1 });
    await page.setContent(
      `<!doctype html><html><body style="margin:0;background:#fff">` +
        `<div id="chart" style="display:inline-block">${svgs.map((s) => `<div style="display:block;line-height:0">${s}</div>`).join('<div style="height:1px;background:#ddd"></div>')}</div>` +
        `</body></html>`,
    );
    await page.locator('#chart').screenshot({ path: file });
  } finally {
    await browser.close();
  }
}

/** Writes `<jsonFile minus .json>.png` charting the results in jsonFile; returns the PNG's path. */
export async function writeChart(jsonFile: string): Promise<string> {
  const png = jsonFile.replace(/\.json$/, '') + '.png';
  await toPng(chartsFor(JSON.parse(readFileSync(jsonFile, 'utf8')) as unknown, jsonFile).map(renderChart), png);
  return png;
}
