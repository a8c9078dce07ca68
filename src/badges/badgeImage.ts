// The badge image of an achievement, generated as SVG: the competency's name on a plain round
// badge in a color of its own, with a title and description so screen readers announce it.
// Colors are dark enough for white text (WCAG AA contrast), and the text is real text.

const PALETTE = ['#0b5cad', '#116329', '#8a3ffc', '#a40e26', '#005f73', '#7d4e00', '#3f3f8f'] as const;

export interface BadgeImageInput {
  name: string;
  /** Position in the framework: picks the color and is shown on the badge. */
  number: number;
  frameworkName: string;
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Greedy word wrap to lines of at most `width` characters (a long word gets a line of its own). */
export function wrapWords(text: string, width: number, maxLines: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const last = lines[lines.length - 1];
    if (last !== undefined && (last + ' ' + word).length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = `${kept[maxLines - 1]}…`;
  return kept;
}

export function achievementBadgeSvg(input: BadgeImageInput): string {
  const color = PALETTE[(Math.max(1, input.number) - 1) % PALETTE.length] ?? PALETTE[0];
  const lines = wrapWords(input.name, 13, 4);
  const lineHeight = 22;
  const firstY = 138 - ((lines.length - 1) * lineHeight) / 2;
  const text = lines
    .map((line, i) => `<text x="128" y="${firstY + i * lineHeight}" font-size="${line.length > 11 ? 19 : 21}">${escapeXml(line)}</text>`)
    .join('');
  const title = escapeXml(`${input.name} badge`);
  const desc = escapeXml(`Competency ${input.number} of ${input.frameworkName}`);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 256 256" width="256" height="256" role="img" aria-labelledby="t d">
<title id="t">${title}</title>
<desc id="d">${desc}</desc>
<circle cx="128" cy="128" r="124" fill="${color}"/>
<circle cx="128" cy="128" r="110" fill="none" stroke="#fff" stroke-width="3" stroke-dasharray="4 6"/>
<circle cx="128" cy="44" r="17" fill="#fff"/>
<text x="128" y="51" font-size="20" fill="${color}" font-family="system-ui,-apple-system,Segoe UI,Roboto,sans-serif" font-weight="700" text-anchor="middle">${input.number}</text>
<g fill="#fff" font-family="system-ui,-apple-system,Segoe UI,Roboto,sans-serif" font-weight="700" text-anchor="middle">${text}</g>
<text x="128" y="214" font-size="11" fill="#fff" font-family="system-ui,-apple-system,Segoe UI,Roboto,sans-serif" letter-spacing="1.5" text-anchor="middle">EDUCATOR COMPETENCY</text>
</svg>
`;
}
