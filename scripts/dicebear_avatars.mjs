// Write DiceBear avatars as SVG files for `senga vector` (run by scripts/fetch_vector_sources.sh).
//
//   node dicebear_avatars.mjs OUT_DIR COUNT [STYLE ...]      (styles: lorelei adventurer micah)
//
// Writes OUT_DIR/STYLE/STYLE_NNNNN.svg for seeds 0..COUNT-1. The same seed gives the same file.
// Colors are overridden with palettes that keep every non-line fill light enough
// (brightest channel >= 0x50) that senga does not take it for a line: the styles'
// own defaults draw hair, beards and shirts black, which would read as line ink.
import { createAvatar } from '@dicebear/core';
import * as lorelei from '@dicebear/lorelei';
import * as adventurer from '@dicebear/adventurer';
import * as micah from '@dicebear/micah';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const HAIR = ['f4d150', 'e5d7a3', 'b9a05f', 'ac6511', 'cb6820', 'ab2a18', '8a5a3c', 'd2eff3', '9287ff', 'fc909f',
  'dba3be', '85c2c6', '3eac2c', '6bd9e9', 'afafaf', 'e8e8f0', 'c0392b', '5b6ee1', '7d4fa8', 'f08a4b'];
const SKIN = ['ffe4d0', 'f9c9b6', 'f2d3b1', 'ecad80', 'd08b5b', 'ac6651', '9e5622'];
const BRIGHT = ['f9c9b6', 'd2eff3', 'e0ddff', 'f4d150', '9287ff', 'ffeba4', 'fc909f', 'ffedef', '6bd9e9', 'ffffff',
  '85c2c6', 'dba3be', '3eac2c', 'f08a4b', '5b6ee1'];

const STYLES = {
  lorelei: [lorelei, { hairColor: HAIR, skinColor: SKIN, hairAccessoriesColor: BRIGHT, earringsColor: BRIGHT,
    frecklesColor: ['c98a6b', 'b87a5b'] }],
  adventurer: [adventurer, { hairColor: HAIR, skinColor: SKIN }],
  micah: [micah, { hairColor: HAIR, facialHairColor: HAIR, baseColor: SKIN, shirtColor: BRIGHT,
    earringColor: BRIGHT, glassesColor: BRIGHT }],
};

const [outDir, countText, ...names] = process.argv.slice(2);
const count = Number.parseInt(countText ?? '', 10);
if (!outDir || !(count > 0)) {
  console.error('usage: node dicebear_avatars.mjs OUT_DIR COUNT [STYLE ...]');
  process.exit(2);
}
for (const name of names.length ? names : Object.keys(STYLES)) {
  if (!(name in STYLES)) {
    console.error(`unknown style ${name} (known: ${Object.keys(STYLES).join(', ')})`);
    process.exit(2);
  }
  const [style, options] = STYLES[name];
  const dir = join(outDir, name);
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const svg = createAvatar(style, { ...options, seed: `${name}-${i}` }).toString();
    writeFileSync(join(dir, `${name}_${String(i).padStart(5, '0')}.svg`), svg);
  }
  console.log(`${name}: ${count} avatars in ${dir}`);
}
