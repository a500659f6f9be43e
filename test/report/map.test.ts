import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadMapGeometry } from '../../src/report/geometry.ts';
import { classOf, naturalBreaks } from '../../src/report/jenks.ts';
import { PALETTES, renderChoropleth, shortUnits } from '../../src/report/map.ts';
import { formatNumber } from '../../src/report/svg.ts';

const geometry = await loadMapGeometry('boundaries/cn-provinces-ctamap2023.geojson');
const shape = (id: string) => geometry.shapes.find((s) => s.id === id)!;
const NOT_IN_SAMPLE = ['540000', '710000', '810000', '820000'];

test('province outlines: one shape per unit, inside the frame, north up, China-shaped', () => {
  assert.equal(geometry.shapes.length, 34);
  assert.equal(new Set(geometry.shapes.map((s) => s.id)).size, 34);
  for (const s of geometry.shapes) {
    assert.match(s.d, /^M[\d.]+ [\d.]+l/, s.id);
    // Every absolute move lies inside the map frame.
    for (const m of s.d.matchAll(/M([\d.-]+) ([\d.-]+)/g)) {
      assert.ok(+m[1] >= 0 && +m[1] <= geometry.width && +m[2] >= 0 && +m[2] <= geometry.height, `${s.id} ${m[0]}`);
    }
  }
  // North up, west left: Heilongjiang above Hainan, Xinjiang left of Shanghai.
  assert.ok(shape('230000').labelAt[1] < shape('460000').labelAt[1]);
  assert.ok(shape('650000').labelAt[0] < shape('310000').labelAt[0]);
  // Albers conic (25N/47N, 105E): China's mainland frame is wider than tall (about 0.84).
  const ratio = geometry.height / geometry.width;
  assert.ok(ratio > 0.75 && ratio < 0.95, `height/width ${ratio}`);
  // The South China Sea islands (Hainan's parts south of 17.5N) are drawn in the inset.
  assert.ok(geometry.inset);
  const inset = geometry.inset!;
  const hainanMoves = [...shape('460000').d.matchAll(/M([\d.-]+) ([\d.-]+)/g)].map((m) => [+m[1], +m[2]]);
  assert.ok(hainanMoves.some(([x, y]) => x >= inset.x && y >= inset.y + inset.height / 2));
});

test('choropleth: one path per province, classes by natural breaks, hatched provinces not in sample', () => {
  const values = new Map<string, number>();
  geometry.shapes.filter((s) => !NOT_IN_SAMPLE.includes(s.id)).forEach((s, i) => values.set(s.id, ((i * 37) % 29) + 0.5));
  const svg = renderChoropleth(geometry, { key: 'x2011', title: 'CEE, 2011', units: '10k yuan per t CO2 (gdp / co2)', values, palette: PALETTES.YlGnBu });
  const paths = [...svg.matchAll(/<path d="[^"]+" fill="([^"]+)" data-id="(\d+)"[^>]* data-value="([^"]*)" class="([^"]+)"/g)];
  assert.equal(paths.length, 34);
  const classes = naturalBreaks([...values.values()], 5);
  for (const [, fill, id, value, cls] of paths) {
    if (NOT_IN_SAMPLE.includes(id)) {
      assert.equal(fill, 'url(#x2011-hatch)');
      assert.equal(cls, 'not-in-sample');
      assert.equal(value, '');
    } else {
      assert.equal(Number(value), values.get(id));
      assert.equal(fill, PALETTES.YlGnBu[classOf(classes, values.get(id)!)], id);
    }
  }
  assert.match(svg, /<pattern id="x2011-hatch"/);
  const legend = [...svg.matchAll(/<g class="legend-item"[^>]*><rect [^>]*fill="([^"]+)"[^>]*\/><text x="30" y="11">([^<]+)<\/text>/g)];
  assert.deepEqual(
    legend.map((m) => m[1]),
    [...PALETTES.YlGnBu, 'url(#x2011-hatch)'],
  );
  assert.equal(legend[0][2], `${formatNumber(classes.min)} – ${formatNumber(classes.upper[0])}`);
  for (let k = 1; k < 5; k++) assert.equal(legend[k][2], `&gt; ${formatNumber(classes.upper[k - 1])} – ${formatNumber(classes.upper[k])}`);
  assert.equal(legend[5][2], 'not in sample');
  assert.match(svg, /10k yuan per t CO2<\/text>/); // legend heading without the definition
  assert.match(svg, />not in sample<\/text>/); // Tibet is labelled on the map
  assert.doesNotMatch(svg, /https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
});

test('choropleth refuses values for provinces the boundaries lack', () => {
  assert.throws(
    () => renderChoropleth(geometry, { key: 'k', title: 't', units: 'u', values: new Map([['999999', 1]]), palette: PALETTES.Purples }),
    /999999 are not in the map boundaries/,
  );
});

test('legend heading drops a trailing parenthetical definition', () => {
  assert.equal(shortUnits('t CO2 per person, x 100 ((co2_t / (pop x 1e4)) / life x 100)'), 't CO2 per person, x 100');
  assert.equal(shortUnits('index in [0, 1]'), 'index in [0, 1]');
});
